"""The timer worker loop and the `yidi worker` command (engine/worker.py, engine/cli.py)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

import server
from engine import timers, versions, worker
from engine.clock import ManualClock
from engine.db import make_engine, writer
from engine.timers import TimerRow, schedule, timer
from tests.engine.counties import make_county
from tests.system.deployment import Server, free_port, serve_args

T0 = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[2]


def add(db: Engine, due_at: datetime, kind: str = "remind") -> int:
    with writer(db).begin() as conn:
        return schedule(
            conn, county_id=1, case_id=1, ticket_id=None, kind=kind, due_at=due_at, payload={}
        )


def fired_at(db: Engine, timer_id: int) -> datetime | None:
    with db.connect() as conn:
        value: datetime | None = conn.execute(
            select(timer.c.fired_at).where(timer.c.id == timer_id)
        ).scalar_one()
        return value


def wait_for(
    condition: Callable[[], bool], what: str, gone: Callable[[], bool] = lambda: False
) -> None:
    """Wait for a background worker to get somewhere (a liveness bound, not a speed check:
    generous, because a fresh interpreter on a loaded two-core machine may take a while)."""
    deadline = time.monotonic() + 180
    while not condition():
        if gone():
            raise AssertionError(f"the worker exited before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_worker_fires_timers_as_the_injected_clock_reaches_them(db: Engine) -> None:
    clock = ManualClock(T0)
    soon, later = add(db, T0 + timedelta(hours=1)), add(db, T0 + timedelta(days=3))
    seen: list[int] = []

    def handler(conn: Connection, row: TimerRow, now: datetime) -> None:
        seen.append(row.id)

    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker,
        args=(db, clock, handler),
        kwargs={"poll_interval": 0.01, "stop_event": stop, "worker_id": "测试"},
    )
    thread.start()
    try:
        clock.advance(timedelta(hours=1))
        wait_for(lambda: fired_at(db, soon) is not None, "the one-hour timer")
        assert fired_at(db, later) is None
        clock.advance(timedelta(days=3))
        wait_for(lambda: fired_at(db, later) is not None, "the three-day timer")
    finally:
        stop.set()
        thread.join()
    assert seen == [soon, later]
    assert fired_at(db, soon) == T0 + timedelta(hours=1)


def test_worker_survives_database_errors_and_stops_when_asked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no timer table
    polled = threading.Event()

    class CountingClock(ManualClock):
        polls = 0

        def now(self) -> datetime:
            CountingClock.polls += 1
            if CountingClock.polls >= 3:
                polled.set()
            return super().now()

    stop = threading.Event()
    with caplog.at_level(logging.WARNING, logger="engine.worker"):
        thread, stop = worker.start_background(
            broken, CountingClock(T0), timers.DEFAULT_DISPATCHER, poll_interval=0.01
        )
        try:
            wait_for(polled.is_set, "three polls")
            assert thread.is_alive()
        finally:
            stop.set()
            thread.join()
    broken.dispose()
    assert "访问数据库失败" in caplog.text


def test_poll_interval_must_be_positive(db: Engine) -> None:
    with pytest.raises(ValueError, match="轮询间隔必须大于 0 秒"):
        worker.run_worker(
            db,
            ManualClock(T0),
            timers.DEFAULT_DISPATCHER,
            poll_interval=0,
            stop_event=threading.Event(),
        )


def test_the_engine_registers_a_handler_for_every_stage_effect() -> None:
    worker.load_handler_modules()
    assert {"remind", "colour", "supervise", "escalate"} <= timers.DEFAULT_DISPATCHER.kinds()


# --- yidi worker ---------------------------------------------------------------------------


@pytest.fixture
def yidi_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "test-secret",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_yidi_worker_once_fires_what_is_due(
    db: Engine, yidi_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[int] = []
    timers.register_handler("测试提醒", lambda conn, row, now: ran.append(row.id))
    now = datetime.now(UTC)
    due, future = add(db, now - timedelta(minutes=5), "测试提醒"), add(db, now + timedelta(days=1))
    assert server.main(["worker", "--once"]) == 0
    assert "已触发 1 个定时器" in capsys.readouterr().out
    assert ran == [due]
    assert fired_at(db, future) is None


def test_yidi_worker_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YIDI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YIDI_SECRET_KEY", "test-secret")
    assert server.main(["worker", "--once"]) == 2
    assert "请先运行 yidi db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--poll", "0"], "轮询间隔必须大于 0 秒"),
        (["--poll", "soon"], "不是秒数"),
        (["--batch", "0"], "批量大小必须至少为 1"),
    ],
)
def test_yidi_worker_rejects_bad_options_in_chinese(
    option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        server.main(["worker", *option])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@contextmanager
def yidi(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[str]]:
    """`yidi ARGS` in a fresh interpreter, as an operator starts it; killed if still running
    when the block ends (a failed wait must not leave it behind)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import server, sys; sys.exit(server.main())", *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def terminate(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM, as a service manager stops it; its output."""
    proc.send_signal(signal.SIGTERM)
    return proc.communicate(timeout=180)


def last_error(db: Engine, timer_id: int) -> str:
    with db.connect() as conn:
        return str(
            conn.execute(select(timer.c.last_error).where(timer.c.id == timer_id)).scalar_one()
        )


def attempted(db: Engine, timer_id: int) -> Callable[[], bool]:
    """Has a worker tried the timer yet (fired or failed)?"""

    def check() -> bool:
        with db.connect() as conn:
            return bool(
                conn.execute(select(timer.c.attempts).where(timer.c.id == timer_id)).scalar_one()
            )

    return check


@pytest.mark.slow  # a fresh interpreter imports the whole server
def test_yidi_worker_runs_until_sigterm(db: Engine, yidi_env: dict[str, str]) -> None:
    due = add(db, datetime.now(UTC) - timedelta(minutes=1), "未注册的类型")
    with yidi({**os.environ, **yidi_env}, "worker", "--poll", "0.05") as proc:
        # the timer's kind has no handler: the worker records the failure and keeps running
        wait_for(
            attempted(db, due), "the worker's first attempt", gone=lambda: proc.poll() is not None
        )
        out, err = terminate(proc)
    assert proc.returncode == 0, err
    assert "定时器工作进程已启动" in out
    assert "定时器工作进程已停止" in out
    assert "没有为定时器类型“未注册的类型”注册处理程序" in last_error(db, due)


# --- the worker inside `yidi serve` -----------------------------------------------------------


def test_embedded_worker_fires_due_timers_while_the_server_runs(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("YIDI_EMBEDDED_WORKER", raising=False)
    ran: list[int] = []
    timers.register_handler("测试内嵌", lambda conn, row, now: ran.append(row.id))
    due = add(db, datetime.now(UTC) - timedelta(seconds=1), "测试内嵌")
    with worker.embedded(db, poll_interval=0.02) as running:
        assert running
        wait_for(lambda: fired_at(db, due) is not None, "the embedded worker")
    assert ran == [due]
    assert not any(t.name == "yidi-timer-worker" for t in threading.enumerate())


def test_embedded_worker_can_be_turned_off(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIDI_EMBEDDED_WORKER", "0")
    due = add(db, datetime.now(UTC) - timedelta(seconds=1))
    with worker.embedded(db) as running:
        assert not running
        assert not any(t.name == "yidi-timer-worker" for t in threading.enumerate())
    assert fired_at(db, due) is None


@pytest.mark.slow  # a fresh interpreter imports and runs the whole server
def test_yidi_serve_runs_the_timer_worker(
    db: Engine, yidi_env: dict[str, str], tmp_path: Path
) -> None:
    versions.publish(db, make_county(), by="测试")  # a county exists: no demo data to load
    due = add(db, datetime.now(UTC) - timedelta(minutes=1), "未注册的类型")
    env = {**os.environ, **yidi_env}
    env.pop("YIDI_EMBEDDED_WORKER", None)
    port = free_port()
    served = Server(env=env, args=serve_args(port), logs=tmp_path / "logs", port=port)
    served.start()  # waits until it answers /readyz
    try:
        # The timer's kind has no handler: the embedded worker's attempt is recorded on it.
        wait_for(attempted(db, due), "the server's timer worker", gone=lambda: not served.running())
    finally:
        served.stop()
    assert f"http://127.0.0.1:{port}/" in served.output()
    assert "没有为定时器类型“未注册的类型”注册处理程序" in last_error(db, due)
