"""Fewer round trips for an action on PostgreSQL: psycopg 3's pipeline mode (issue 23).

Today's path sends every statement and waits for its answer: BEGIN, each of an action's
statements, COMMIT, plus the pool's pre-ping, about twelve round trips per action. In a
pipelined write transaction (`engine.db.write_transaction(..., pipelined=True)`) statements
whose answer nobody reads at once are queued and go with the next one that is read:

- BEGIN is queued with the first statement (the connection runs in autocommit for the
  duration and the transaction block is our own BEGIN ... COMMIT: psycopg's own BEGIN would
  sync by itself);
- writes whose row count nobody needs (events, the case UPDATE, timers) go with the next read;
- the guarded UPDATE that finishes a ticket is checked when its answer arrives with a later
  read, at the latest before COMMIT (`check_later`): a transaction whose guard matched no row
  never commits, so exactly-once is kept;
- COMMIT goes with the pipeline's last sync.

The row locks are the same statements as today's (SELECT ... FOR UPDATE first); only the
waiting changes. A statement sent through SQLAlchemy (`Connection.execute`) is synced at once
(`after_cursor_execute`), so its result is there as SQLAlchemy expects.

`YIDI_PG_PIPELINE=0` runs today's path (bench.engine --path today compares both in one run).
"""

from __future__ import annotations

import os
import select
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event, exc

SWITCH = "YIDI_PG_PIPELINE"
# Key in the pooled connection's `info`: the psycopg Pipeline of the open write transaction.
PIPE = "yidi_pipeline"
# Key in the pooled connection's `info`: checks to run when their statement's answer is in.
LATER = "yidi_pipeline_checks"
ENTERED = "yidi_pipeline_context"
# Attribute of a pool: False turns the checkout check off (as `pool._pre_ping = False` does
# the pre-ping), for a test that must meet a dead connection.
CHECK_IDLE = "yidi_check_idle"  # psycopg's pipeline() context, left at COMMIT


def wanted(engine: Engine) -> bool:
    """Whether write transactions on this engine run pipelined (PostgreSQL, switch not off)."""
    return engine.dialect.name == "postgresql" and os.environ.get(SWITCH, "1") != "0"


def active(conn: Connection) -> Any:
    """The pipeline of `conn`'s write transaction, or None."""
    return conn.connection.info.get(PIPE)


def sync(conn: Connection) -> None:
    """Send what is queued and wait for every answer (one round trip); run due checks."""
    pipe = active(conn)
    if pipe is None:
        return
    error_class: Any = conn.dialect.loaded_dbapi.Error
    try:
        pipe.sync()
    except error_class as error:
        raise exc.DBAPIError.instance(None, None, error, error_class) from error
    run_checks(conn)


def check_later(conn: Connection, cursor: Any, check: Callable[[int], None]) -> None:
    """Call `check(rowcount)` once `cursor`'s statement has been answered (at the latest
    before COMMIT)."""
    conn.connection.info.setdefault(LATER, []).append((cursor, check))


def run_checks(conn: Connection) -> None:
    checks = conn.connection.info.pop(LATER, None)
    if not checks:
        return
    for cursor, check in checks:
        check(int(cursor.rowcount))


def begin(dbapi_connection: Any, info: dict[str, Any]) -> Any:
    """Enter pipeline mode and queue BEGIN (no round trip)."""
    dbapi_connection.autocommit = True  # our BEGIN ... COMMIT is the transaction
    entered = dbapi_connection.pipeline()  # a context manager yielding the Pipeline
    pipe = entered.__enter__()
    info[PIPE] = pipe
    info[ENTERED] = entered
    dbapi_connection.execute("BEGIN")
    return pipe


def settle(conn: Connection) -> None:
    """Wait for the answers of statements still checked later (rare: a read after them
    usually brought them) and run their checks."""
    if conn.connection.info.get(LATER):
        sync(conn)


def commit(conn: Connection, dbapi_connection: Any) -> None:
    """Queue COMMIT and leave pipeline mode: one round trip, with whatever is still queued."""
    info = conn.connection.info
    del info[PIPE]
    dbapi_connection.execute("COMMIT")
    info.pop(ENTERED).__exit__(None, None, None)


def abandon(info: dict[str, Any], dbapi_connection: Any) -> None:
    """After a failure: leave pipeline mode and roll back whatever is open."""
    info.pop(LATER, None)
    info.pop(PIPE, None)
    entered = info.pop(ENTERED, None)
    try:
        if entered is not None:
            failure = RuntimeError("abandoned")
            entered.__exit__(RuntimeError, failure, None)
    finally:
        if dbapi_connection.pgconn.transaction_status != 0:  # not IDLE
            dbapi_connection.execute("ROLLBACK")
        dbapi_connection.autocommit = False


def finish(dbapi_connection: Any) -> None:
    dbapi_connection.autocommit = False  # as the pool hands connections out


def install(engine: Engine) -> None:
    """SQLAlchemy statements inside a pipelined transaction are answered before SQLAlchemy
    reads their result."""

    @event.listens_for(engine, "after_cursor_execute")
    def _answered(conn: Connection, *_args: Any) -> None:
        pipe = conn.connection.info.get(PIPE)
        if pipe is not None:
            pipe.sync()  # a driver error here is SQLAlchemy's to wrap, as any statement's

    # The pool's pre-ping is a round trip per checkout (one per action). Instead: a
    # connection is dropped when the server has said anything while it sat idle in the pool
    # (the FATAL of a shutdown, the end of the stream when the server or its host went away),
    # which a socket poll with no wait tells without asking the server.
    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, *_args: Any) -> None:
        if not getattr(engine.pool, CHECK_IDLE, True):
            return  # a test meeting a dead connection on purpose
        if dbapi_connection.closed or dbapi_connection.broken:
            raise exc.DisconnectionError("connection closed")
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
        if readable:
            raise exc.DisconnectionError("the server spoke while the connection was idle")
