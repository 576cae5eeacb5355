"""Reads in autocommit on PostgreSQL (admin.web.read_only, the user's change stamp): the
connection goes back to the pool as it came, so the next user of it still gets a
transaction; on SQLite nothing changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from admin.auth import accounts_stamp
from admin.web import read_only
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
