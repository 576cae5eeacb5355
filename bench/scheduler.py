"""Scheduler benchmark: `python -m bench.scheduler [--database URL] [--polls N] [--cases N]`.

`scheduler_idle_poll_ms`: what `engine.scheduler.run_due` adds to every worker poll when every
job is done (the common case: once a period's jobs ran, each poll until the next period only
checks). The demo counties are published (three of them sample revisits: three jobs).
Same-run baselines: `timer_idle_poll_ms`, the idle `fire_due` the same poll already does, and
`scheduler_reads_ms`, the two reads any implementation needs (current versions, then the job
runs of the due periods) as plain `text()` SQL through SQLAlchemy, with nothing done with the
rows (run_due uses the driver, so it can come in under this).

`draw_s`: one revisit job run over `--cases` cases closed in a month (30% drawn);
`draw_per_case_ms` (a 核单 ticket and its event per drawn case) beside the same run's
`engine_step_ms`, the mean time of one intake or action while the cases were made (each also
opens a ticket and writes its events).

The database must be empty (default: a fresh SQLite file); PostgreSQL: a scratch database.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from engine import periods, scheduler, schema, timers, versions
from engine.clock import CST, ManualClock
from engine.db import make_engine

REPO = Path(__file__).resolve().parents[1]
NOV = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, 0, 0, 1, tzinfo=CST)


def median_ms(call: Callable[[], object], polls: int) -> float:
    times = []
    for _ in range(polls):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def idle(db: Engine, polls: int) -> dict[str, float]:
    versions.load_demo(db, REPO / "definitions")
    scheduler.run_due(db, DEC_1, worker_id="bench")  # every job of November done
    jobs = "SELECT county_id, job, period, status, retry_at FROM job_run WHERE period = '2026-11'"
    current = (
        "SELECT county.id, definition_version.id, definition_version.content_hash FROM county "
        "JOIN definition_version ON definition_version.county_id = county.id "
        "WHERE definition_version.is_current"
    )

    def floor() -> None:
        with db.connect() as conn:
            conn.execute(text(current)).all()
            conn.execute(text(jobs)).all()

    clock = ManualClock(DEC_1)
    return {
        "scheduler_idle_poll_ms": median_ms(
            lambda: scheduler.run_due(db, DEC_1, worker_id="bench"), polls
        ),
        "timer_idle_poll_ms": median_ms(
            lambda: timers.fire_due(db, clock, timers.DEFAULT_DISPATCHER), polls
        ),
        "scheduler_reads_ms": median_ms(floor, polls),
    }


def draw(db: Engine, cases: int) -> dict[str, float]:
    from engine.cases import Engine as Workflow
    from tests.engine.revisit_county import People, close_case, write

    with tempfile.TemporaryDirectory() as folder:
        county = write(Path(folder) / "xianan", "30% 每 月")
    versions.publish(db, county, by="bench")
    wf, people = Workflow(db, ManualClock(NOV)), People(county.key)
    started = time.perf_counter()
    for i in range(cases):  # intake + two actions each
        close_case(wf, county.key, people, NOV + timedelta(seconds=i))
    per_step = (time.perf_counter() - started) / (cases * 3)
    started = time.perf_counter()
    ran = scheduler.run_due(db, DEC_1 + timedelta(days=1), worker_id="bench")
    took = time.perf_counter() - started
    assert ran == 1
    drawn = -(-cases * 3 // 10)
    return {
        "draw_s": took,
        "draw_per_case_ms": took / drawn * 1000,
        "engine_step_ms": per_step * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file, WAL)")
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = make_engine(url)
        schema.upgrade(db)
        figures = idle(db, args.polls) | draw(db, args.cases)
        db.dispose()
    print(f"database: {db.dialect.name}; polls: {args.polls}; closed cases: {args.cases}")
    print(f"period: {periods.containing('month', DEC_1).previous().label}")
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")
    ratio = figures["scheduler_idle_poll_ms"] / figures["scheduler_reads_ms"]
    print(f"idle poll vs plain reads: {ratio:.2f}")
    ratio = figures["draw_per_case_ms"] / figures["engine_step_ms"]
    print(f"drawn case vs engine step: {ratio:.2f}")


if __name__ == "__main__":
    main()
