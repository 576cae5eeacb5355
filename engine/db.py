"""Database plumbing shared by every module: the declarative base, engines, time type.

SQLite is the embedded default (WAL, foreign keys on); PostgreSQL (psycopg 3) serves real
deployments. All timestamps are stored in UTC and come back timezone-aware.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC: SQLite keeps no zone, so we put it back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: yidi stores only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def as_utc(value: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite keeps none: a naive time is UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Execution option that makes an SQLite transaction take the write lock at BEGIN. Write paths
# use it so that two writers queue on busy_timeout instead of failing when a read lock would
# have to be upgraded; reads keep the default deferred BEGIN and never block each other.
SQLITE_IMMEDIATE = "yidi_sqlite_immediate"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout first: the journal_mode pragma itself may have to wait for a lock.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint every 10,000 WAL pages (about 40 MB) instead of SQLite's 1,000: each
        # checkpoint syncs the database file, and with ~10 pages per action the default put
        # that sync in every hundredth commit (half of all commit time in bench.engine).
        # Durability is unchanged (WAL, synchronous=NORMAL); the WAL file just grows larger.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.in_transaction:
            return  # write_transaction began it (BEGIN IMMEDIATE) before SQLAlchemy autobegan
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        # On the driver connection itself: `exec_driver_sql` would run the whole execution
        # machinery (events, result object) for one keyword, about a third of a small write.
        dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    from engine import pipeline  # after this module: pipeline imports nothing of ours

    fewer_trips = os.environ.get(pipeline.SWITCH, "1") != "0" and url.startswith("postgresql")
    # engine.pipeline checks a connection at checkout without a round trip (today's path:
    # the pool's pre-ping, one round trip per checkout)
    kwargs.setdefault("pool_pre_ping", not fewer_trips)
    engine = create_engine(url, **kwargs)
    if fewer_trips and engine.dialect.name == "postgresql":
        pipeline.install(engine)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take SQLite's write lock up front."""
    return engine.execution_options(**{SQLITE_IMMEDIATE: True})


@contextmanager
def write_transaction(engine: Engine, *, pipelined: bool = False) -> Iterator[Connection]:
    """One write transaction, as `writer(engine).begin()` but begun and ended on the driver.

    The pooled connection is wrapped in a `Connection` (so every caller's statements, the
    driver's and SQLAlchemy's, run in this one transaction) while BEGIN (IMMEDIATE on SQLite;
    psycopg begins by itself), COMMIT and ROLLBACK go straight to the DBAPI connection:
    SQLAlchemy's Transaction object, its begin event and its commit machinery cost about
    13 us per transaction here (34.5 against 21.9 us for a one-UPDATE transaction on SQLite),
    six times per case. A SQLAlchemy statement that autobegins
    inside finds the driver transaction already open (`_on_begin`) and shares it. Driver
    errors at BEGIN/COMMIT are re-raised as SQLAlchemy's, like `Connection.begin()`'s.

    `pipelined`: on PostgreSQL (unless YIDI_PG_PIPELINE=0) the transaction runs in psycopg's
    pipeline mode, see engine.pipeline: fewer round trips, the same statements and locks.
    """
    from engine import pipeline

    if pipelined and pipeline.wanted(engine):
        with _pipelined_transaction(engine) as conn:
            yield conn
        return
    pooled = engine.raw_connection()
    dbapi_connection: Any = pooled.dbapi_connection
    dbapi_error: Any = engine.dialect.loaded_dbapi.Error
    try:
        conn = Connection(engine, connection=pooled)
    except BaseException:
        pooled.close()
        raise
    try:
        try:
            if engine.dialect.name == "sqlite":
                dbapi_connection.execute("BEGIN IMMEDIATE")
            elif getattr(dbapi_connection, "autocommit", False):
                # psycopg begins a transaction by itself only outside autocommit; a connection
                # left in autocommit by a read (admin.web.read_only restores it) would commit
                # every statement on its own.
                dbapi_connection.autocommit = False
            yield conn
            if conn.in_transaction():  # a SQLAlchemy statement autobegan: end it its way
                conn.commit()
            else:
                dbapi_connection.commit()
                if conn.dispatch.commit:  # listeners (bench.engine counts commits)
                    conn.dispatch.commit(conn)
        except dbapi_error as error:
            _rollback(conn, dbapi_connection)
            raise exc.DBAPIError.instance(None, None, error, dbapi_error) from error
        except BaseException:
            _rollback(conn, dbapi_connection)
            raise
    finally:
        conn.close()  # returns the connection to the pool


@contextmanager
def _pipelined_transaction(engine: Engine) -> Iterator[Connection]:
    from engine import pipeline

    pooled = engine.raw_connection()
    dbapi_connection: Any = pooled.dbapi_connection
    dbapi_error: Any = engine.dialect.loaded_dbapi.Error
    try:
        conn = Connection(engine, connection=pooled)
    except BaseException:
        pooled.close()
        raise
    try:
        try:
            pipeline.begin(dbapi_connection, pooled.info)
            yield conn
            pipeline.settle(conn)  # checks still waiting: before anything commits
            if conn.dispatch.commit:  # listeners, before COMMIT: they may still refuse it
                conn.dispatch.commit(conn)
            pipeline.commit(conn, dbapi_connection)
            if conn.in_transaction():
                # SQLAlchemy's record of the transaction it joined, closed without sending
                # anything (the server is idle: its COMMIT went with the last sync) and
                # without telling the commit listeners a second time.
                conn.rollback()
            pipeline.finish(dbapi_connection)
        except dbapi_error as error:
            _abandon(conn, pooled.info, dbapi_connection)
            raise exc.DBAPIError.instance(None, None, error, dbapi_error) from error
        except BaseException:
            _abandon(conn, pooled.info, dbapi_connection)
            raise
    finally:
        conn.close()


def _abandon(conn: Connection, info: dict[str, Any], dbapi_connection: Any) -> None:
    from engine import pipeline

    try:
        pipeline.abandon(info, dbapi_connection)
        if conn.in_transaction():
            conn.rollback()
    except Exception:
        conn.invalidate()


def _rollback(conn: Connection, dbapi_connection: Any) -> None:
    """Undo the transaction after a failure; the failure, not a failed rollback, is what the
    caller hears about (a connection that cannot roll back is dropped from the pool)."""
    try:
        if conn.in_transaction():
            conn.rollback()
        else:
            dbapi_connection.rollback()
    except Exception:
        conn.invalidate()


def session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(bind=engine, expire_on_commit=False)
