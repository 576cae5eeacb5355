"""engine.driver's raw rows: what the DBAPI returns, unprocessed, and the two helpers that
make its times comparable (`stored_time`) and readable (`read_time`) as SQLAlchemy's are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine as DbEngine
from sqlalchemy import bindparam, select

from engine import driver
from engine import statements as sql
from engine.db import writer
from engine.tables import EVENT
from tests.engine.test_driver import _county_id, _event

AT_BY_KIND = select(EVENT.c.id, EVENT.c.at).where(EVENT.c.kind == bindparam("kind"))


def test_raw_times_read_back_as_sqlalchemy_reads_them_and_compare_as_stored(
    db: DbEngine,
) -> None:
    county_id = _county_id(db)
    at = datetime(2026, 11, 16, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with writer(db).begin() as conn:
        driver.execute_many(conn, sql.INSERT_EVENT, [_event(county_id, "甲", at, None)])
    with db.connect() as conn:
        (raw,) = driver.raw_rows(conn, AT_BY_KIND, {"kind": "甲"})
        (processed,) = driver.tuples(conn, AT_BY_KIND, {"kind": "甲"})
        dialect = conn.dialect
    assert driver.read_time(raw[1]) == processed[1] == at
    assert driver.read_time(raw[1]).tzinfo is UTC  # type: ignore[union-attr]
    assert driver.read_time(None) is None
    # a stored time orders against stored_time() as the times themselves do
    assert driver.stored_time(dialect, at - timedelta(microseconds=1)) < raw[1]
    assert not driver.stored_time(dialect, at) < raw[1]
    assert raw[1] < driver.stored_time(dialect, at + timedelta(microseconds=1))
    if dialect.name == "sqlite":
        assert raw[1] == "2026-11-16 01:30:15.123456"  # as stored: text, UTC, no zone
