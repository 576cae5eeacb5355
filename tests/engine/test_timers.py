"""Timers (engine/timers.py): scheduling, cancelling, firing exactly once, failure isolation.

The handlers under test write to `timer_fire_log`, whose primary key is the timer id: a timer
fired twice would hit the unique constraint and show up as a failed attempt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, select, text

from engine import timers
from engine.clock import ManualClock
from engine.db import make_engine, writer
from engine.timers import Dispatcher, TimerRow, fire_due, schedule, timer

T0 = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)  # 09:00 in the county
PG_ONLY_REASON = "PostgreSQL only: row locks with SKIP LOCKED; SQLite has its own race test"
postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not os.environ.get("YIDI_TEST_DATABASE_URL"), reason=PG_ONLY_REASON),
]

fire_log = Table(
    "timer_fire_log",
    MetaData(),
    Column("timer_id", Integer, primary_key=True),
    Column("worker", String(100), nullable=False),
)


@pytest.fixture
def log_table(db: Engine) -> Engine:
    fire_log.create(db, checkfirst=True)
    return db


def log_fire(conn: Connection, row: TimerRow, now: datetime) -> None:
    worker = threading.current_thread().name
    conn.execute(fire_log.insert().values(timer_id=row.id, worker=worker))


def logged(db: Engine) -> list[int]:
    with db.connect() as conn:
        return list(conn.execute(select(fire_log.c.timer_id).order_by("timer_id")).scalars())


def add(db: Engine, due_at: datetime, kind: str = "remind", **ids: int | None) -> int:
    with writer(db).begin() as conn:
        return schedule(
            conn,
            county_id=1,
            case_id=ids.get("case_id", 7),
            ticket_id=ids.get("ticket_id"),
            kind=kind,
            due_at=due_at,
            payload={"role": "调解员"},
        )


def add_many(db: Engine, count: int, due_at: datetime) -> None:
    rows = [
        {
            "county_id": 1,
            "case_id": n,
            "ticket_id": None,
            "kind": "remind",
            "payload": {},
            "due_at": due_at,
            "created_at": due_at,
            "attempts": 0,
        }
        for n in range(count)
    ]
    with writer(db).begin() as conn:
        conn.execute(timer.insert(), rows)


def state(db: Engine, timer_id: int) -> dict[str, object]:
    with db.connect() as conn:
        row = conn.execute(select(timer).where(timer.c.id == timer_id)).mappings().one()
        return dict(row)


# --- scheduling and cancelling -------------------------------------------------------------


def test_schedule_stores_a_pending_timer(db: Engine) -> None:
    timer_id = add(db, T0, ticket_id=3)
    with db.connect() as conn:
        [row] = timers.pending(conn, case_id=7)
        assert timers.count_pending(conn) == 1
    assert row == TimerRow(timer_id, 1, 7, 3, "remind", {"role": "调解员"}, T0, 0)


@pytest.mark.parametrize(
    ("kind", "due_at", "message"),
    [
        ("", T0, "定时器类型必须是"),
        ("x" * 41, T0, "定时器类型必须是"),
        ("remind", datetime(2026, 10, 8, 9, 0), "必须带时区"),
    ],
)
def test_bad_timers_are_refused_without_a_write(
    db: Engine, kind: str, due_at: datetime, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        add(db, due_at, kind=kind)
    with db.connect() as conn:
        assert timers.count_pending(conn) == 0


def test_cancel_drops_pending_timers_and_keeps_fired_ones(log_table: Engine) -> None:
    db = log_table
    fired = add(db, T0, ticket_id=1, case_id=10)
    later_same_ticket = add(db, T0 + timedelta(days=1), ticket_id=1, case_id=10)
    other_ticket = add(db, T0 + timedelta(days=1), ticket_id=2, case_id=10)
    other_case = add(db, T0 + timedelta(days=1), ticket_id=3, case_id=11)
    assert fire_due(db, ManualClock(T0), log_fire) == 1
    with writer(db).begin() as conn:
        assert timers.cancel_for_ticket(conn, 1) == 1
    with db.connect() as conn:
        assert [r.id for r in timers.pending(conn)] == [other_ticket, other_case]
    with writer(db).begin() as conn:
        assert timers.cancel_for_case(conn, 10) == 1
    with db.connect() as conn:
        assert [r.id for r in timers.pending(conn)] == [other_case]
    assert state(db, fired)["fired_at"] == T0
    assert later_same_ticket not in logged(db)


# --- firing --------------------------------------------------------------------------------


def test_only_due_timers_fire_and_each_only_once(log_table: Engine) -> None:
    db = log_table
    clock = ManualClock(T0)
    due_now = add(db, T0)
    overdue = add(db, T0 - timedelta(hours=5))
    later = add(db, T0 + timedelta(minutes=30))
    seen: list[tuple[int, datetime]] = []

    def handler(conn: Connection, row: TimerRow, now: datetime) -> None:
        seen.append((row.id, now))
        log_fire(conn, row, now)

    assert fire_due(db, clock, handler, worker_id="工作进程1") == 2
    assert seen == [(overdue, T0), (due_now, T0)]  # oldest first, with the clock's now
    assert fire_due(db, clock, handler) == 0
    assert state(db, due_now)["fired_by"] == "工作进程1"
    assert state(db, later)["fired_at"] is None
    clock.advance(timedelta(minutes=30))  # the clock is injected: travel to the due time
    assert fire_due(db, clock, handler) == 1
    assert logged(db) == sorted([due_now, overdue, later])
    assert state(db, later)["fired_at"] == T0 + timedelta(minutes=30)


def test_batches_continue_until_nothing_is_due(log_table: Engine) -> None:
    add_many(log_table, 25, T0)
    assert fire_due(log_table, ManualClock(T0), log_fire, batch=10) == 25
    assert len(logged(log_table)) == 25


def test_an_idle_poll_does_not_wait_for_the_write_lock(db: Engine) -> None:
    add(db, T0 + timedelta(days=1))  # pending, not due
    with writer(db).connect() as busy:
        busy.begin()  # SQLite: another writer holds the lock (e.g. a long web action)
        busy.execute(text("UPDATE timer SET attempts = attempts"))
        # a claim transaction would wait busy_timeout (10 s), then fail "database is locked"
        assert fire_due(db, ManualClock(T0), log_fire) == 0
        busy.rollback()


def test_bad_batch_size_is_refused(db: Engine) -> None:
    with pytest.raises(ValueError, match="批量大小"):
        fire_due(db, ManualClock(T0), log_fire, batch=0)


def test_a_failing_handler_rolls_back_only_its_own_timer(log_table: Engine) -> None:
    db = log_table
    first, broken, last = add(db, T0, case_id=1), add(db, T0, case_id=2), add(db, T0, case_id=3)
    healed = False

    def handler(conn: Connection, row: TimerRow, now: datetime) -> None:
        log_fire(conn, row, now)  # written, then undone when the handler fails
        if row.case_id == 2 and not healed:
            raise RuntimeError("督办单模板缺失")

    clock = ManualClock(T0)
    assert fire_due(db, clock, handler) == 2
    assert logged(db) == [first, last]
    failed = state(db, broken)
    assert failed["fired_at"] is None
    assert failed["attempts"] == 1
    assert "督办单模板缺失" in str(failed["last_error"])
    assert failed["retry_at"] == T0 + timers.RETRY_FIRST
    # not retried at once (no hot loop on a broken handler) ...
    assert fire_due(db, clock, handler) == 0
    # ... but after the back-off, and it fires once the cause is fixed
    healed = True
    clock.advance(timers.RETRY_FIRST)
    assert fire_due(db, clock, handler) == 1
    assert logged(db) == [first, broken, last]
    assert state(db, broken)["attempts"] == 1
    assert state(db, broken)["retry_at"] is None


def test_back_off_doubles_and_is_capped(log_table: Engine) -> None:
    db = log_table
    broken = add(db, T0)

    def handler(conn: Connection, row: TimerRow, now: datetime) -> None:
        raise RuntimeError("总是失败")

    clock = ManualClock(T0)
    waits = []
    for _ in range(12):
        fire_due(db, clock, handler)
        retry_at = state(db, broken)["retry_at"]
        assert isinstance(retry_at, datetime)
        waits.append(retry_at - clock.now())
        clock.set(retry_at)
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-1] == timers.RETRY_MAX
    assert state(db, broken)["attempts"] == 12


def test_dispatcher_routes_by_kind_and_reports_unknown_kinds(log_table: Engine) -> None:
    db = log_table
    dispatcher = Dispatcher()
    dispatcher.register("remind", log_fire)
    dispatcher.register("colour", lambda conn, row, now: None)
    assert dispatcher.kinds() == {"colour", "remind"}
    remind, colour, unknown = add(db, T0), add(db, T0, kind="colour"), add(db, T0, kind="revisit")
    assert fire_due(db, ManualClock(T0), dispatcher) == 2
    assert logged(db) == [remind]
    assert state(db, colour)["fired_at"] == T0
    assert state(db, unknown)["fired_at"] is None
    assert "没有为定时器类型“revisit”注册处理程序" in str(state(db, unknown)["last_error"])


def test_default_dispatcher_is_what_register_handler_fills() -> None:
    marker = "test-kind-registered"
    timers.register_handler(marker, log_fire)
    assert marker in timers.DEFAULT_DISPATCHER.kinds()


# --- racing workers ------------------------------------------------------------------------

RACE_TIMERS = 10_000


def race(db_url: str, workers: int, batch: int) -> list[int]:
    """Several threads, each with its own engine (own connections), fire the same due timers."""
    counts = [0] * workers
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(index: int) -> None:
        engine = make_engine(db_url)
        try:
            start.wait()
            counts[index] = fire_due(
                engine, ManualClock(T0), log_fire, batch=batch, worker_id=f"w{index}"
            )
        except BaseException as error:  # reported by the test thread
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(i,), name=f"w{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return counts


def assert_each_fired_once(db: Engine) -> None:
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM timer_fire_log")).scalar_one() == (
            RACE_TIMERS
        )
        assert timers.count_pending(conn) == 0
        failures = conn.execute(text("SELECT count(*) FROM timer WHERE attempts > 0"))
        assert failures.scalar_one() == 0
        # the log was written in the same transaction that marked the timer fired, by the same
        # worker: fired_by and the log agree for every timer
        mismatched = conn.execute(
            text(
                "SELECT count(*) FROM timer t JOIN timer_fire_log l ON l.timer_id = t.id "
                "WHERE l.worker <> t.fired_by"
            )
        )
        assert mismatched.scalar_one() == 0


@pytest.mark.slow
def test_two_worker_threads_fire_each_of_10000_timers_once(log_table: Engine, db_url: str) -> None:
    add_many(log_table, RACE_TIMERS, T0 - timedelta(minutes=1))
    counts = race(db_url, workers=2, batch=250)
    assert sum(counts) == RACE_TIMERS
    assert_each_fired_once(log_table)


# A separate worker process: its own interpreter, engine and connections.
RACE_WORKER = """
import sys
from datetime import datetime
from sqlalchemy import text
from engine.clock import ManualClock
from engine.db import make_engine
from engine.timers import fire_due

url, now, worker = sys.argv[1:4]
insert = text("INSERT INTO timer_fire_log (timer_id, worker) VALUES (:id, :worker)")
engine = make_engine(url)
handler = lambda conn, row, _now: conn.execute(insert, {"id": row.id, "worker": worker})
clock = ManualClock(datetime.fromisoformat(now))
print(fire_due(engine, clock, handler, batch=250, worker_id=worker))
engine.dispose()
"""


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.skipif(not os.environ.get("YIDI_TEST_DATABASE_URL"), reason=PG_ONLY_REASON)
def test_two_worker_processes_fire_each_of_10000_timers_once(
    log_table: Engine, db_url: str
) -> None:
    add_many(log_table, RACE_TIMERS, T0 - timedelta(minutes=1))
    root = Path(__file__).parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_WORKER, db_url, T0.isoformat(), f"p{i}"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [proc.communicate(timeout=300)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    assert sum(int(out.strip()) for out in outputs) == RACE_TIMERS
    assert_each_fired_once(log_table)


@pytest.mark.postgres_only
@pytest.mark.skipif(not os.environ.get("YIDI_TEST_DATABASE_URL"), reason=PG_ONLY_REASON)
def test_a_worker_skips_timers_another_worker_holds(log_table: Engine) -> None:
    db = log_table
    held, free = add(db, T0), add(db, T0)
    with db.connect() as other_worker:
        other_worker.begin()
        other_worker.execute(select(timer.c.id).where(timer.c.id == held).with_for_update())
        # the locked row is skipped, not waited for: this returns while the lock is held
        assert fire_due(db, ManualClock(T0), log_fire) == 1
        other_worker.rollback()
    assert logged(db) == [free]
    assert fire_due(db, ManualClock(T0), log_fire) == 1
    assert logged(db) == [held, free]


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    assert set(threading.enumerate()) <= before
