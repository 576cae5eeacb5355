"""Timers: due times in an indexed table, fired exactly once by one or several workers.

A step or a deadline stage schedules a timer in the same transaction that creates its ticket,
so a timer exists exactly when its work does. `fire_due` claims due timers in batches and runs
each one's handler inside the transaction that marks it fired: either both happen or neither,
which is what makes firing exactly-once even with several workers and crashes. Handlers must
therefore do their work through the connection they are given: a batch that is rolled back and
redone (see `_fire_batch`) may call a handler twice, but only one call's writes ever commit.

Claiming: PostgreSQL locks the batch with `FOR UPDATE SKIP LOCKED`, so workers share the load
without waiting on each other; SQLite has one writer at a time, so `BEGIN IMMEDIATE` queues the
workers and each sees the rows the previous one fired.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.clock import Clock
from engine.db import Base, UTCDateTime, utcnow, writer
from engine.registry import JSONType

log = logging.getLogger(__name__)

KIND_MAX = 40
# A failing timer is retried later rather than at once, so one broken handler cannot keep a
# worker spinning; the wait doubles per attempt up to six hours.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)


class Timer(Base):
    """One due time: when it comes, the handler registered for `kind` runs once."""

    __tablename__ = "timer"
    __table_args__ = (
        # The only hot query: pending timers by due time. Partial, so fired timers (the vast
        # majority, over time) cost nothing to skip.
        # (due_at, id): the claim orders by both, so the scan stops after one batch instead of
        # sorting every due timer.
        Index(
            "ix_timer_pending_due",
            "due_at",
            "id",
            postgresql_where="fired_at IS NULL",
            sqlite_where="fired_at IS NULL",
        ),
        # Cancelling looks only at pending timers too; partial indexes also spare the update
        # that marks a timer fired from adding entries to them.
        Index(
            "ix_timer_ticket",
            "ticket_id",
            postgresql_where="fired_at IS NULL",
            sqlite_where="fired_at IS NULL",
        ),
        # Every timer of the case, fired ones too: resuming and extending read which stages
        # already fired (migration 0013).
        Index("ix_timer_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: timers belong to cases and tickets, whose tables live on another
    # migration branch; cancelling is explicit (cancel_for_ticket / cancel_for_case).
    county_id: Mapped[int] = mapped_column()
    case_id: Mapped[int | None] = mapped_column()
    ticket_id: Mapped[int | None] = mapped_column()
    kind: Mapped[str] = mapped_column(String(KIND_MAX))  # remind|colour|supervise|escalate|...
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fired_by: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)  # failed runs so far
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # after a failure


# Core handle on the same table: the hot paths below are Core statements, not ORM units of work.
timer = cast(Table, Timer.__table__)


@dataclass(frozen=True)
class TimerRow:
    """What a handler sees of the timer it runs for."""

    id: int
    county_id: int
    case_id: int | None
    ticket_id: int | None
    kind: str
    payload: Mapping[str, Any]
    due_at: datetime
    attempts: int


Handler = Callable[[Connection, TimerRow, datetime], None]


class UnknownTimerKind(LookupError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"没有为定时器类型“{kind}”注册处理程序")


# --- scheduling ----------------------------------------------------------------------------


def schedule(
    conn: Connection,
    *,
    county_id: int,
    case_id: int | None,
    ticket_id: int | None,
    kind: str,
    due_at: datetime,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """Add a timer in the caller's transaction and return its id."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"定时器类型必须是 1 到 {KIND_MAX} 个字符（收到“{kind}”）")
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise ValueError(f"定时器的到期时间必须带时区（收到 {due_at.isoformat()}）")
    values = {
        "county_id": county_id,
        "case_id": case_id,
        "ticket_id": ticket_id,
        "kind": kind,
        "payload": dict(payload or {}),
        "due_at": due_at,
        "created_at": utcnow(),
        "attempts": 0,
    }
    timer_id: int = conn.execute(timer.insert().values(values).returning(timer.c.id)).scalar_one()
    return timer_id


def cancel_for_ticket(conn: Connection, ticket_id: int) -> int:
    """Drop the pending timers of a ticket whose work is done; returns how many."""
    return _cancel(conn, timer.c.ticket_id == ticket_id)


def cancel_for_case(conn: Connection, case_id: int) -> int:
    """Drop the pending timers of a case (closed, or moved to another version or center)."""
    return _cancel(conn, timer.c.case_id == case_id)


def cancel_case_deadline(conn: Connection, case_id: int) -> int:
    """Drop the pending stage timers of the case's own deadline (not its tickets', nor the
    response timer's, engine.response): its due time moves (an extension), and they are
    scheduled again for the new one."""
    return _cancel(
        conn,
        and_(
            timer.c.case_id == case_id,
            timer.c.ticket_id.is_(None),
            ~timer.c.kind.startswith("response_", autoescape=True),
        ),
    )


def _cancel(conn: Connection, where: Any) -> int:
    # Fired timers are kept: they say what already happened (and when) for that work.
    result = conn.execute(delete(timer).where(where, timer.c.fired_at.is_(None)))
    return int(result.rowcount)


def pending(conn: Connection, *, case_id: int | None = None) -> list[TimerRow]:
    """Pending timers, soonest first (of one case when given), for views and tests."""
    query = select(*_ROW_COLUMNS).where(timer.c.fired_at.is_(None))
    if case_id is not None:
        query = query.where(timer.c.case_id == case_id)
    return [TimerRow(*row) for row in conn.execute(query.order_by(timer.c.due_at, timer.c.id))]


def count_pending(conn: Connection) -> int:
    query = select(func.count()).select_from(timer).where(timer.c.fired_at.is_(None))
    return int(conn.execute(query).scalar_one())


# --- handlers ------------------------------------------------------------------------------


class Dispatcher:
    """Routes each timer to the handler registered for its kind."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, kind: str, fn: Handler) -> None:
        """Register (or replace, e.g. when a module is reloaded) the handler of a kind."""
        self._handlers[kind] = fn

    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def __call__(self, conn: Connection, row: TimerRow, now: datetime) -> None:
        fn = self._handlers.get(row.kind)
        if fn is None:
            raise UnknownTimerKind(row.kind)
        fn(conn, row, now)


# The engine registers its handlers (reminders, supervision, colour, escalation) here; the
# worker in `yidi serve` and `yidi worker` dispatch through it.
DEFAULT_DISPATCHER = Dispatcher()
register_handler = DEFAULT_DISPATCHER.register


# --- firing --------------------------------------------------------------------------------

_ROW_COLUMNS = (
    timer.c.id,
    timer.c.county_id,
    timer.c.case_id,
    timer.c.ticket_id,
    timer.c.kind,
    timer.c.payload,
    timer.c.due_at,
    timer.c.attempts,
)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def fire_due(
    engine: Engine,
    clock: Clock,
    handler: Handler,
    *,
    batch: int = 500,
    worker_id: str = "",
) -> int:
    """Fire every timer due at `clock.now()`, batch by batch; returns how many fired.

    Timers whose handler failed are not counted; they keep their attempts and last error and
    are retried after a back-off.
    """
    if batch < 1:
        raise ValueError(f"批量大小必须至少为 1（收到 {batch}）")
    now: datetime = clock.now()
    who = worker_id or default_worker_id()
    if not _anything_due(engine, now):
        return 0
    fired_total, after = 0, None
    while True:
        rows, fired = _fire_batch(engine, _Claim(now, batch, after), handler, who)
        fired_total += fired
        if len(rows) < batch:
            return fired_total
        after = (rows[-1].due_at, rows[-1].id)


def _anything_due(engine: Engine, now: datetime) -> bool:
    """A plain read first: an idle poll (the usual case) must not take SQLite's write lock."""
    query = _Claim(now, 1, None).query("").with_only_columns(timer.c.id)
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


@dataclass(frozen=True)
class _Claim:
    now: datetime
    batch: int
    # Keyset: where the previous batch of this call ended. On PostgreSQL the index entries of
    # timers fired moments ago still point to dead rows until vacuum; starting each batch
    # after the last one instead of at the oldest due time avoids walking them again and
    # again. Rows skipped this way (held by another worker that then rolled back) are simply
    # claimed at the next poll.
    after: tuple[datetime, int] | None

    def query(self, dialect: str) -> Any:
        conditions = [
            timer.c.fired_at.is_(None),
            timer.c.due_at <= self.now,
            or_(timer.c.retry_at.is_(None), timer.c.retry_at <= self.now),
        ]
        if self.after is not None:
            due, last_id = self.after
            conditions += [
                timer.c.due_at >= due,
                or_(timer.c.due_at > due, timer.c.id > last_id),
            ]
        query = (
            select(*_ROW_COLUMNS)
            .where(*conditions)
            .order_by(timer.c.due_at, timer.c.id)
            .limit(self.batch)
        )
        if dialect == "postgresql":
            # Rows another worker holds are skipped, not waited for: it is firing them.
            query = query.with_for_update(skip_locked=True)
        return query


class Deferred(Exception):
    """Raised by a handler, before it writes anything, to leave its timer for the next poll
    (the case is busy with another transaction). The timer is neither fired nor failed."""


class _HandlerFailed(Exception):
    """A handler raised during an optimistic batch: the batch is redone one timer at a time."""


def _fire_batch(
    engine: Engine, claim: _Claim, handler: Handler, who: str
) -> tuple[list[TimerRow], int]:
    # Optimistic first: a savepoint per timer costs more than the timer machinery itself, and
    # handlers almost never fail. When one does, the whole batch rolls back (nothing of it is
    # kept) and is run again with a savepoint around each handler to isolate the failure.
    try:
        return _claim_and_fire(engine, claim, handler, who, isolate=False)
    except _HandlerFailed:
        return _claim_and_fire(engine, claim, handler, who, isolate=True)


def _claim_and_fire(
    engine: Engine, claim: _Claim, handler: Handler, who: str, *, isolate: bool
) -> tuple[list[TimerRow], int]:
    """One transaction: claim up to `batch` due timers, run each handler, mark the fired."""
    now = claim.now
    with writer(engine).begin() as conn:
        rows = [TimerRow(*r) for r in conn.execute(claim.query(engine.dialect.name))]
        fired: list[int] = []
        for row in rows:
            if isolate:
                if _run_isolated(conn, row, now, handler):
                    fired.append(row.id)
                continue
            try:
                handler(conn, row, now)
            except Exception as error:  # Deferred too: the redo's savepoint drops any write
                raise _HandlerFailed from error
            fired.append(row.id)
        for chunk in _chunks(fired, 1000):
            conn.execute(
                update(timer)
                .where(timer.c.id.in_(chunk))
                .values(fired_at=now, fired_by=who, retry_at=None)
            )
    return rows, len(fired)


def _run_isolated(conn: Connection, row: TimerRow, now: datetime, handler: Handler) -> bool:
    """Run one handler in a savepoint; on failure undo only its writes and record why."""
    try:
        with conn.begin_nested():
            handler(conn, row, now)
    except Deferred:
        return False  # not fired, not failed: claimed again at the next poll
    except Exception as error:  # any handler bug must not stop the other timers
        log.warning("定时器 %s（%s）处理失败: %s", row.id, row.kind, error, exc_info=True)
        _record_failure(conn, row, now, error)
        return False
    return True


def _record_failure(conn: Connection, row: TimerRow, now: datetime, error: Exception) -> None:
    # The savepoint is rolled back, so this write is separate from the handler's; it commits
    # with the batch (a failure is not lost when other timers of the batch succeed).
    attempts = row.attempts + 1
    wait = min(RETRY_FIRST * (2 ** min(attempts - 1, 20)), RETRY_MAX)
    message = f"{type(error).__name__}: {error}"[:2000]
    conn.execute(
        update(timer)
        .where(timer.c.id == row.id)
        .values(attempts=attempts, last_error=message, retry_at=now + wait)
    )


def _chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
