"""engine.driver: statements on the driver cursor store and read values exactly as
SQLAlchemy's own execution does, inside the caller's transaction, with SQLAlchemy's errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.exc import IntegrityError

from engine import driver, versions
from engine import statements as sql
from engine.db import writer
from engine.tables import EVENT, TICKET
from tests.engine.counties import make_county

EVENT_BY_KIND = select(EVENT).where(EVENT.c.kind == bindparam("kind")).order_by(EVENT.c.id)


def _county_id(db: DbEngine) -> int:
    versions.publish(db, make_county(), by="测试")
    return versions.county_id(db, "testa")


def _event(
    county_id: int, kind: str, at: datetime, after: dict[str, object] | None
) -> dict[str, object]:
    return {
        "county_id": county_id,
        "case_id": None,
        "ticket_id": None,
        "at": at,
        "actor": "测试",
        "kind": kind,
        "before": None,
        "after": after,
        "note": "",
    }


def test_values_round_trip_as_through_sqlalchemy(db: DbEngine) -> None:
    county_id = _county_id(db)
    # an odd zone and microseconds: stored as UTC, read back aware and equal
    at = datetime(2026, 11, 16, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with writer(db).begin() as conn:
        driver.execute_many(
            conn,
            sql.INSERT_EVENT,
            [_event(county_id, "甲", at, {"x": [1, "二"]}), _event(county_id, "甲", at, None)],
        )
        conn.execute(sql.INSERT_EVENT, _event(county_id, "乙", at, {"x": [1, "二"]}))
        conn.execute(sql.INSERT_EVENT, _event(county_id, "乙", at, None))
    with db.connect() as conn:
        ours = driver.all_rows(conn, EVENT_BY_KIND, {"kind": "甲"})
        theirs = [dict(r) for r in conn.execute(EVENT_BY_KIND, {"kind": "乙"}).mappings()]
        # the stored text too, not only what comes back (SQL compares times as stored)
        stored = conn.execute(text("SELECT kind, at FROM event ORDER BY id")).all()
    assert [r["at"] for r in ours] == [r["at"] for r in theirs] == [at, at]
    assert ours[0]["at"].utcoffset() == timedelta(0) and theirs[0]["at"].tzinfo is not None
    assert [r["after"] for r in ours] == [r["after"] for r in theirs] == [{"x": [1, "二"]}, None]
    assert len({str(at_) for _, at_ in stored}) == 1  # same text/value for both writers
    with db.connect() as conn:
        assert driver.first(conn, sql.VERSION_HASH, {"version_id": -1}) is None


def test_writes_belong_to_the_callers_transaction(db: DbEngine) -> None:
    county_id = _county_id(db)
    at = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError), writer(db).begin() as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "回滚", at, None))
        assert driver.all_rows(conn, EVENT_BY_KIND, {"kind": "回滚"})  # seen inside
        raise RuntimeError("fail after the write")
    with db.connect() as conn:
        assert driver.all_rows(conn, EVENT_BY_KIND, {"kind": "回滚"}) == []


def test_driver_errors_are_sqlalchemy_errors(db: DbEngine) -> None:
    _county_id(db)
    at = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
    with pytest.raises(IntegrityError), writer(db).begin() as conn:
        # no such county: the foreign key refuses it
        driver.run(conn, sql.INSERT_EVENT, _event(999_999, "坏", at, None))


def test_constant_in_lists_run_and_parameter_lists_are_refused(db: DbEngine) -> None:
    with db.connect() as conn:
        # OPEN_EVALUATION has `state IN ('open', 'claimed')`, expanded once
        assert driver.all_rows(conn, sql.OPEN_EVALUATION, {"case_id": 1}) == []
        by_ids = delete(TICKET).where(TICKET.c.id.in_(bindparam("ids", expanding=True)))
        with pytest.raises(ValueError, match="ids"):
            driver.execute(conn, by_ids, {"ids": [1, 2]})


def test_a_few_rows_are_one_statement_in_row_order(db: DbEngine) -> None:
    """Three events written by execute_many: one statement on either backend (SQLite's
    executemany, a VALUES list on PostgreSQL), the rows in order with their values."""
    county_id = _county_id(db)
    at = datetime(2026, 11, 16, 9, 30, 15, 654321, tzinfo=UTC)
    rows = [_event(county_id, "丙", at + timedelta(minutes=i), {"n": i}) for i in range(3)]
    rows[1]["after"] = None
    with writer(db).begin() as conn:
        before = driver.COUNT.sent
        driver.execute_many(conn, sql.INSERT_EVENT, rows)
        assert driver.COUNT.sent - before == 1
    with db.connect() as conn:
        stored = driver.all_rows(conn, EVENT_BY_KIND, {"kind": "丙"})
    assert [(r["at"], r["after"]) for r in stored] == [
        (at, {"n": 0}),
        (at + timedelta(minutes=1), None),
        (at + timedelta(minutes=2), {"n": 2}),
    ]


def test_after_a_failed_statement_the_connection_still_works(db: DbEngine) -> None:
    """The driver's cursor is kept per connection: a statement that failed must not leave the
    next transaction on that connection a broken cursor."""
    county_id = _county_id(db)
    at = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
    for _ in range(2):
        with pytest.raises(IntegrityError), writer(db).begin() as conn:
            driver.run(conn, sql.INSERT_EVENT, _event(999_999, "坏", at, None))
        with writer(db).begin() as conn:
            driver.run(conn, sql.INSERT_EVENT, _event(county_id, "好", at, None))
            assert len(driver.all_rows(conn, EVENT_BY_KIND, {"kind": "好"})) >= 1
    with db.connect() as conn:
        assert len(driver.all_rows(conn, EVENT_BY_KIND, {"kind": "好"})) == 2
        assert driver.all_rows(conn, EVENT_BY_KIND, {"kind": "坏"}) == []
