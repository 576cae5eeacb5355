"""Periodic jobs in the worker (engine/scheduler.py, engine/revisit_job.py): sampled revisits
drawn once per county and period by the worker loop and `yidi worker --once`, even with two
workers at once; a fixed number without replacement; the same draw whatever the folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from engine import periods, scheduler, timers, versions, worker
from engine.cases import Engine as Workflow
from engine.clock import CST, ManualClock
from engine.db import make_engine
from engine.scheduler import JOB_RUN
from engine.tables import EVENT
from tests.engine import revisit_county
from tests.engine.revisit_county import People, close_case
from tests.engine.test_worker import ROOT, wait_for
from tests.support import run_at_once

KEY = "xianan"
JOB = "回访抽样:回访抽查/回访"
NOV = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 local
DEC_1 = datetime(2026, 12, 1, 0, 0, 1, tzinfo=CST)
JAN_1 = datetime(2027, 1, 1, 0, 0, 1, tzinfo=CST)


def publish(db: Engine, folder: Path, rule: str) -> str:
    county = revisit_county.write(folder, rule)
    versions.publish(db, county, by="测试")
    return county.key


def close_cases(db: Engine, key: str, at: datetime, count: int) -> list[str]:
    wf, people = Workflow(db, ManualClock(at)), People(key)
    return [close_case(wf, key, people, at + timedelta(minutes=i)).code for i in range(count)]


def runs(db: Engine) -> list[tuple[str, str, str, str | None]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(JOB_RUN.c.job, JOB_RUN.c.period, JOB_RUN.c.status, JOB_RUN.c.result).order_by(
                JOB_RUN.c.period
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def drawn(db: Engine) -> list[str]:
    """Codes of the cases with a revisit ticket (核单), one entry per ticket."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT c.code FROM ticket t JOIN "case" c ON c.id = t.case_id '
                "WHERE t.step = '回访' ORDER BY c.code"
            )
        ).scalars()
        return list(rows)


def sampled_events(db: Engine) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(select(func.count()).where(EVENT.c.kind == "revisit_sampled")).scalar_one()
        )


class PollCounter(ManualClock):
    """The workers' clock, counting their polls (each poll reads it once per pass at least)."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return super().now()


def two_workers_at_once(db_url: str, clock: PollCounter, done: Callable[[], bool]) -> None:
    """Two worker loops, each on its own connection pool, released together; stopped once
    `done` holds and both have polled a few more times (so the loser had its chance)."""
    stop = threading.Event()
    engines = [make_engine(db_url), make_engine(db_url)]

    def loop(index: int) -> Callable[[], None]:
        return lambda: worker.run_worker(
            engines[index],
            clock,
            timers.DEFAULT_DISPATCHER,
            poll_interval=0.01,
            stop_event=stop,
            worker_id=f"工作进程{index + 1}",
        )

    def watch() -> None:
        try:
            wait_for(done, "the workers to run the job")
            after = clock.reads
            wait_for(lambda: clock.reads >= after + 20, "more polls")
        finally:
            stop.set()

    try:
        worker.load_handler_modules()
        raised = run_at_once(loop(0), loop(1), watch)
    finally:
        for engine in engines:
            engine.dispose()
    assert raised == [None, None, None], raised


def test_two_workers_at_once_draw_each_period_once(db: Engine, db_url: str, tmp_path: Path) -> None:
    key = publish(db, tmp_path / KEY, "50% 每 月")
    november = close_cases(db, key, NOV, 4)
    clock = PollCounter(DEC_1)
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    assert runs(db) == [(JOB, "2026-11", "done", "2026年11月办结 4 件，抽中 2 件")]
    first = drawn(db)
    assert len(first) == 2 and set(first) <= set(november) and len(set(first)) == 2
    assert sampled_events(db) == 2
    # December: one case closed then; the next period's run draws from it alone
    december = close_cases(db, key, datetime(2026, 12, 15, 2, 0, tzinfo=UTC), 1)
    clock.set(JAN_1)
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 2)
    assert runs(db)[1] == (JOB, "2026-12", "done", "2026年12月办结 1 件，抽中 1 件")
    assert drawn(db) == sorted(first + december) and sampled_events(db) == 3


def test_a_fixed_number_per_period_is_drawn_without_replacement(
    db: Engine, db_url: str, tmp_path: Path
) -> None:
    key = publish(db, tmp_path / KEY, "3 件 每 月")
    november = close_cases(db, key, NOV, 5)
    clock = PollCounter(DEC_1)
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    assert runs(db) == [(JOB, "2026-11", "done", "2026年11月办结 5 件，抽中 3 件")]
    chosen = drawn(db)
    assert len(chosen) == 3 and len(set(chosen)) == 3 and set(chosen) <= set(november)
    # fewer closed than the number: every one of them, each once
    december = close_cases(db, key, datetime(2026, 12, 20, 2, 0, tzinfo=UTC), 2)
    clock.set(JAN_1)
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 2)
    assert runs(db)[1] == (JOB, "2026-12", "done", "2026年12月办结 2 件，抽中 2 件")
    assert drawn(db) == sorted(chosen + december) and sampled_events(db) == 5


def test_a_period_is_not_drawn_before_it_ends(db: Engine, db_url: str, tmp_path: Path) -> None:
    key = publish(db, tmp_path / KEY, "3 件 每 月")
    close_cases(db, key, NOV, 2)
    clock = PollCounter(datetime(2026, 11, 30, 23, 59, tzinfo=CST))
    # the last minute of November: October is due (nothing closed then), November is not
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    assert runs(db) == [(JOB, "2026-10", "done", "2026年10月办结 0 件，抽中 0 件")]
    assert drawn(db) == []


def test_a_failing_job_is_recorded_rolled_back_and_retried(
    db: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = publish(db, tmp_path / KEY, "3 件 每 月")
    close_cases(db, key, NOV, 2)
    scheduler.load_job_modules()
    real_run = scheduler.KINDS["回访抽样"].run

    def half_then_fail(job: scheduler.Run) -> str:
        real_run(job)  # tickets opened in the job's transaction...
        raise RuntimeError("模拟的故障")  # ...and rolled back with it

    kind = scheduler.KINDS["回访抽样"]
    monkeypatch.setitem(
        scheduler.KINDS, kind.name, scheduler.JobKind(kind.name, kind.jobs, half_then_fail)
    )
    clock = PollCounter(DEC_1)
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    assert runs(db) == [(JOB, "2026-11", "failed", None)]
    assert drawn(db) == [] and sampled_events(db) == 0  # nothing half done
    # (on PostgreSQL the second worker's claim may go through once the first rolled back, so
    # both may have tried: attempts counts every attempt)
    error, retry_at, attempts = failure(db)
    assert (error, retry_at) == ("模拟的故障", DEC_1 + scheduler.RETRY_AFTER) and attempts >= 1
    # still failing at its retry time: tried again, and put off again
    clock.set(DEC_1 + scheduler.RETRY_AFTER)
    two_workers_at_once(db_url, clock, lambda: failure(db)[2] > attempts)
    assert failure(db)[:2] == ("模拟的故障", DEC_1 + 2 * scheduler.RETRY_AFTER)
    assert drawn(db) == []
    monkeypatch.setitem(scheduler.KINDS, kind.name, kind)
    clock.set(DEC_1 + 2 * scheduler.RETRY_AFTER)
    two_workers_at_once(db_url, clock, lambda: runs(db)[0][2] == "done")
    assert runs(db) == [(JOB, "2026-11", "done", "2026年11月办结 2 件，抽中 2 件")]
    assert len(drawn(db)) == 2


def failure(db: Engine) -> tuple[str, datetime, int]:
    with db.connect() as conn:
        row = conn.execute(select(JOB_RUN.c.error, JOB_RUN.c.retry_at, JOB_RUN.c.attempts)).one()
    return row[0], row[1], row[2]


# --- the same county in two folders -------------------------------------------------------------


@pytest.fixture
def another_database(_migrated_template: Any, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """A second fresh database (SQLite: another copy of the template; PostgreSQL: the test
    database emptied again, after the first one's results were read)."""
    made: list[Engine] = []

    def make() -> Engine:
        if isinstance(_migrated_template, Path):
            target = tmp_path / f"another-{len(made)}.db"
            shutil.copyfile(_migrated_template, target)
            engine = make_engine(f"sqlite:///{target}")
        else:
            with _migrated_template.begin() as conn:
                names = conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                ).scalars()
                quoted = ", ".join(f'"{name}"' for name in names)
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            engine = make_engine(_migrated_template.url.render_as_string(hide_password=False))
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def draw_in(db: Engine, folder: Path) -> list[str]:
    """Publish the county from `folder`, close eight cases in November, let a worker draw."""
    key = publish(db, folder, "3 件 每 月")
    close_cases(db, key, NOV, 8)
    stop = threading.Event()

    def stop_when_drawn() -> None:
        wait_for(lambda: len(runs(db)) == 1, "the draw")
        stop.set()

    watcher = threading.Thread(target=stop_when_drawn)
    watcher.start()
    worker.run_worker(
        db, ManualClock(DEC_1), timers.DEFAULT_DISPATCHER, poll_interval=0.01, stop_event=stop
    )
    watcher.join()
    return drawn(db)


def test_the_same_county_in_another_folder_draws_the_same_cases(
    db: Engine, tmp_path: Path, another_database: Callable[[], Engine]
) -> None:
    here = draw_in(db, tmp_path / "一" / KEY)
    # an identical copy under another folder name (so another county key), in a new database
    there = draw_in(another_database(), tmp_path / "二" / "咸安区副本")
    assert len(here) == 3 and here == there


# --- yidi worker --once, twice at once, on the real clock ---------------------------------------


@pytest.mark.slow  # fresh interpreters import the whole server
def test_two_yidi_worker_processes_draw_last_month_once(
    db: Engine, db_url: str, tmp_path: Path
) -> None:
    last_month = periods.containing("month", datetime.now(UTC)).previous()
    key = publish(db, tmp_path / KEY, "50% 每 月")
    closed = close_cases(db, key, last_month.start + timedelta(days=2, hours=2), 3)
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "test-secret",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", "import server, sys; sys.exit(server.main())"]
    procs = [
        subprocess.Popen(
            [*command, "worker", "--once"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    said = sorted(out.strip().rsplit("，", 1)[-1] for out, _ in outputs)
    assert said == ["运行 0 个定时任务", "运行 1 个定时任务"], outputs
    result = f"{last_month.label}办结 3 件，抽中 2 件"
    assert runs(db) == [(JOB, last_month.key, "done", result)]
    assert len(drawn(db)) == 2 and set(drawn(db)) <= set(closed) and sampled_events(db) == 2


def test_the_jobs_come_from_the_definition(tmp_path: Path) -> None:
    """One job per sampling rule, with the rule's period; none when every case is revisited."""
    weekly = revisit_county.write(tmp_path / "weekly", "30% 每 周")
    [(_, job)] = scheduler.jobs_of(weekly)
    assert job.key == JOB and job.period == "week" and "每周 30%" in job.title
    # Sunday 23:59 local is still in the week of Monday 2026-11-30 (ISO week 49)...
    assert job.due(datetime(2026, 12, 6, 23, 59, tzinfo=CST)).key == "2026-W48"
    # ...and Monday 0:00 starts the next one, so the week just ended is due
    assert job.due(datetime(2026, 12, 7, 0, 0, tzinfo=CST)).key == "2026-W49"
    everyone = revisit_county.write(tmp_path / "everyone", "100% 每 月")
    assert list(scheduler.jobs_of(everyone)) == []
