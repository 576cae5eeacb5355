"""Timer benchmark: `python -m bench.timers [--quick] [--database URL] [--runs N]`.

`timer_fire_s`: the time `engine.timers.fire_due` takes to find and fire 10,000 due timers
among 1,000,000 pending ones (each run fires a fresh set of 10,000), with a handler that does
nothing, so what is measured is the timer machinery: the claim query on the partial index,
one savepoint per timer (failure isolation), and marking the batch fired.

Same-run baseline `timer_raw_claim_s`: the least any implementation must do on the same table
and database: claim 500 due ids by the same index and mark them fired, batch after batch, with
no handler and no savepoints. `ratio_vs_raw_claim` = timer_fire_s / timer_raw_claim_s.

The benchmark's timers belong to county id -1 and are due around the year 2000, so on a
database that holds real timers (due years later) nothing real fires; they are deleted at the
end. `bench.engine` imports `measure_timer_fire`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, text

from engine import schema
from engine.clock import ManualClock
from engine.db import make_engine, writer
from engine.timers import TimerRow, fire_due

BENCH_COUNTY = -1
NOW = datetime(2000, 1, 1, tzinfo=UTC)
EPOCH = int(NOW.timestamp())
BATCH = 500

# Set-based fills: a million rows through executemany would take longer than the benchmark.
# :first/:last number the rows; due_at = NOW + :offset + row seconds (negative: already due).
FILL = {
    "postgresql": """
        INSERT INTO timer (county_id, case_id, ticket_id, kind, payload, due_at, created_at,
                           attempts)
        SELECT CAST(:county AS integer), g, NULL, 'remind', '{}'::jsonb,
               to_timestamp(CAST(:epoch AS bigint) + CAST(:offset AS bigint) + g),
               to_timestamp(CAST(:epoch AS bigint)), 0
        FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
    """,
    "sqlite": """
        WITH RECURSIVE seq(g) AS (SELECT :first UNION ALL SELECT g + 1 FROM seq WHERE g < :last)
        INSERT INTO timer (county_id, case_id, ticket_id, kind, payload, due_at, created_at,
                           attempts)
        SELECT :county, g, NULL, 'remind', '{}',
               strftime('%Y-%m-%d %H:%M:%S', :epoch + :offset + g, 'unixepoch') || '.000000',
               strftime('%Y-%m-%d %H:%M:%S', :epoch, 'unixepoch') || '.000000', 0
        FROM seq
    """,
}

# Keyset like fire_due: each batch starts after the previous one (see engine.timers._Claim).
RAW_CLAIM = """
    SELECT id, due_at FROM timer
    WHERE fired_at IS NULL AND due_at <= :now AND due_at >= :after_due
      AND (due_at > :after_due OR id > :after_id)
    ORDER BY due_at, id LIMIT :batch {lock}
"""


def _fill(conn: Connection, count: int, offset: int) -> None:
    sql = FILL[conn.dialect.name]
    params = {"county": BENCH_COUNTY, "epoch": EPOCH, "offset": offset}
    step = 200_000  # bounded statements keep the SQLite CTE and PG memory modest
    for first in range(1, count + 1, step):
        last = min(first + step - 1, count)
        conn.execute(text(sql), {**params, "first": first, "last": last})


def _add_due(engine: Engine, due: int) -> None:
    """A fresh set of `due` timers, all due before NOW (from due+1 seconds to 1 second before)."""
    with writer(engine).begin() as conn:
        _fill(conn, due, -(due + 1))


def _nothing(conn: Connection, row: TimerRow, now: datetime) -> None:
    """The handler: the engine's real work is measured by bench.engine, not here."""


def _raw_claim(engine: Engine) -> int:
    lock = "FOR UPDATE SKIP LOCKED" if engine.dialect.name == "postgresql" else ""
    claim = text(RAW_CLAIM.format(lock=lock))
    # expanding: one bound list per batch, like fire_due's IN (...)
    mark = text("UPDATE timer SET fired_at = :now, fired_by = 'raw' WHERE id IN :ids")
    mark = mark.bindparams(bindparam("ids", expanding=True))
    total, after = (
        0,
        {"after_due": _db_time(engine, datetime(1970, 1, 1, tzinfo=UTC)), "after_id": 0},
    )
    now = _db_time(engine, NOW)
    while True:
        with writer(engine).begin() as conn:
            rows = conn.execute(claim, {"now": now, "batch": BATCH, **after}).all()
            if rows:
                conn.execute(mark, {"now": now, "ids": [row.id for row in rows]})
        total += len(rows)
        if len(rows) < BATCH:
            return total
        after = {"after_due": rows[-1].due_at, "after_id": rows[-1].id}


def _db_time(engine: Engine, moment: datetime) -> object:
    # the raw statements bypass UTCDateTime, so bind what it would have bound
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = run()
    return time.perf_counter() - started, count


def prepare(engine: Engine, pending: int) -> None:
    """Migrate, drop earlier benchmark timers and add `pending` timers due after NOW."""
    schema.upgrade(engine)
    with writer(engine).begin() as conn:
        conn.execute(text("DELETE FROM timer WHERE county_id = :c"), {"c": BENCH_COUNTY})
        _fill(conn, pending, 0)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE timer"))


def cleanup(engine: Engine) -> None:
    with writer(engine).begin() as conn:
        conn.execute(text("DELETE FROM timer WHERE county_id = :c"), {"c": BENCH_COUNTY})


def measure_timer_fire(
    engine: Engine, *, pending: int = 1_000_000, due: int = 10_000, runs: int = 3
) -> dict[str, float]:
    """Medians over `runs` of firing `due` fresh due timers among `pending` future ones."""
    prepare(engine, pending)
    clock = ManualClock(NOW)
    fire_times, raw_times = [], []
    try:
        for _ in range(runs):
            _add_due(engine, due)
            seconds, fired = _timed(lambda: fire_due(engine, clock, _nothing, batch=BATCH))
            if fired != due:
                raise RuntimeError(f"fired {fired} timers, expected {due}")
            fire_times.append(seconds)
            _add_due(engine, due)
            seconds, claimed = _timed(lambda: _raw_claim(engine))
            if claimed != due:
                raise RuntimeError(f"raw claim marked {claimed} timers, expected {due}")
            raw_times.append(seconds)
    finally:
        cleanup(engine)
    fire, raw = statistics.median(fire_times), statistics.median(raw_times)
    return {"timer_fire_s": fire, "timer_raw_claim_s": raw, "ratio_vs_raw_claim": fire / raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file, WAL)")
    parser.add_argument("--quick", action="store_true", help="100,000 pending, 2,000 due")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pending, due = (100_000, 2_000) if args.quick else (1_000_000, 10_000)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench-timers.db'}"
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            figures = measure_timer_fire(engine, pending=pending, due=due, runs=args.runs)
        finally:
            engine.dispose()
    print(f"database: {engine.dialect.name}; pending: {pending:,}; due per run: {due:,}")
    print(f"runs: {args.runs} (medians); whole benchmark {time.perf_counter() - started:.1f} s")
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")


if __name__ == "__main__":
    main()
