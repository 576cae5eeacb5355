"""The worker's chores (engine/worker.py): housekeeping beside the timers, run at the first poll
and then every `every` seconds; a failing chore is logged and never stops the timers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from engine import worker
from engine.clock import ManualClock
from tests.engine.test_worker import add, fired_at, wait_for


@pytest.fixture
def chores(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, worker.Chore]]:
    registry: dict[str, worker.Chore] = {}
    monkeypatch.setattr(worker, "CHORES", registry)
    yield registry


def test_chores_run_at_start_and_a_failing_one_stops_nothing(
    db: Engine, chores: dict[str, worker.Chore], caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[Engine] = []

    def broken(engine: Engine) -> None:
        raise RuntimeError("磁盘已满")

    worker.register_chore(worker.Chore("坏的", 3600, broken))
    worker.register_chore(worker.Chore("清理", 3600, ran.append))
    now = datetime.now(UTC)
    due = add(db, now - timedelta(minutes=1))
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker,
        args=(db, ManualClock(now), lambda conn, row, at: None),
        kwargs={"poll_interval": 0.01, "stop_event": stop},
    )
    thread.start()
    try:
        wait_for(lambda: fired_at(db, due) is not None and bool(ran), "the first poll")
    finally:
        stop.set()
        thread.join()
    assert ran == [db]  # hourly: once in this short run
    assert "例行任务“坏的”失败" in caplog.text


def test_run_chores_without_a_schedule_runs_each_once(
    db: Engine, chores: dict[str, worker.Chore]
) -> None:
    ran: list[str] = []
    worker.register_chore(worker.Chore("一", 3600, lambda engine: ran.append("一")))
    worker.register_chore(worker.Chore("二", 3600, lambda engine: ran.append("二")))
    worker.run_chores(db)
    assert ran == ["一", "二"]
    due: dict[str, float] = {}
    worker.run_chores(db, due)
    worker.run_chores(db, due)  # not due again for an hour
    assert ran == ["一", "二", "一", "二"]
