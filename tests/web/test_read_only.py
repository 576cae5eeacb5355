"""Reads in autocommit on PostgreSQL (admin.web.read_only, the user's change stamp): the
connection goes back to the pool as it came, so the next user of it still gets a
transaction; on SQLite nothing changes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from admin.auth import accounts_stamp
from admin.web import read_only
from engine import pipeline
from engine.db import make_engine


@pytest.fixture
def one_connection(db_url: str) -> Iterator[Engine]:
    """A pool of exactly one connection, so every checkout gets the same one back."""
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _in_transaction_after_a_write(engine: Engine) -> bool:
    """Whether a write through a plain connection is still inside a transaction (it can be
    rolled back), i.e. the connection did not come back from the pool in autocommit."""
    with engine.connect() as conn:
        conn.execute(text("UPDATE change_stamp SET value = value WHERE topic = 'accounts'"))
        dbapi = conn.connection.dbapi_connection
        if engine.dialect.name == "sqlite":
            return bool(dbapi.in_transaction)  # type: ignore[union-attr]
        return str(dbapi.info.transaction_status.name) == "INTRANS"  # type: ignore[union-attr]


def test_reads_leave_the_pooled_connection_transactional(one_connection: Engine) -> None:
    accounts_stamp(one_connection)  # None when the fixture emptied the table: still a read
    assert _in_transaction_after_a_write(one_connection)
    with read_only(one_connection).connect() as conn:
        conn.execute(text("SELECT value FROM change_stamp")).all()
    assert _in_transaction_after_a_write(one_connection)


def test_reads_run_outside_a_transaction_on_postgresql(one_connection: Engine) -> None:
    if one_connection.dialect.name == "sqlite":
        assert read_only(one_connection) is one_connection
        return
    with read_only(one_connection).connect() as conn:
        conn.execute(text("SELECT 1"))
        status = conn.connection.dbapi_connection.info.transaction_status.name  # type: ignore[union-attr]
    assert status == "IDLE"  # no BEGIN was sent, so there is nothing to roll back


def test_a_failed_stamp_read_still_restores_the_connection(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("admin.auth.STAMP_SQL", "SELECT no_such_column FROM change_stamp")
    with pytest.raises(Exception, match="no_such_column"):
        accounts_stamp(one_connection)
    assert _in_transaction_after_a_write(one_connection)


@pytest.mark.skipif(
    not os.environ.get("YIDI_TEST_DATABASE_URL"),
    reason="PostgreSQL only: a server backend killed under a pooled connection",
)
def test_a_connection_lost_during_the_stamp_read_is_not_pooled_in_autocommit(
    one_connection: Engine,
) -> None:
    accounts_stamp(one_connection)
    with one_connection.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = make_engine(one_connection.url.render_as_string(hide_password=False))
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    with pytest.raises(Exception, match=r"terminat|closed|connection"):
        accounts_stamp_without_pre_ping(one_connection)
    accounts_stamp(one_connection)  # a fresh connection
    assert _in_transaction_after_a_write(one_connection)


def accounts_stamp_without_pre_ping(engine: Engine) -> int | None:
    """The stamp read on a pool that does not test connections first, so the read itself
    meets the dead connection (the app's pool pre-pings, which would hide it)."""
    engine.pool._pre_ping = False  # type: ignore[attr-defined]
    setattr(engine.pool, pipeline.CHECK_IDLE, False)  # nor by a socket poll (engine.pipeline)
    try:
        return accounts_stamp(engine)
    finally:
        engine.pool._pre_ping = True  # type: ignore[attr-defined]
        setattr(engine.pool, pipeline.CHECK_IDLE, True)


def test_opening_a_case_takes_one_connection_at_a_time(db: Engine, one_connection: Engine) -> None:
    """With a pool of one connection and no waiting, reading a case in scope must never hold
    a connection while it asks for another (many pages at once would exhaust a real pool)."""
    from admin.auth import StaffMembership, StaffUser
    from admin.case_page import visible_case
    from tests.web.seed import TOWN_A, Seeder

    seeded = Seeder(db).publish()
    code = seeded.case(TOWN_A)
    seeded.ticket(code, TOWN_A)
    user = StaffUser(
        1, "handler", "承办人", "webxian", False, (StaffMembership(TOWN_A, "调解员", "司法所"),)
    )
    strict = make_engine(
        one_connection.url.render_as_string(hide_password=False),
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.5,
    )
    try:
        found = visible_case(strict, user, code)
    finally:
        strict.dispose()
    assert found is not None and found.code == code
