"""engine.db.write_transaction: BEGIN/COMMIT/ROLLBACK on the driver, with the driver's and
SQLAlchemy's statements in the one transaction, all or nothing, the connection given back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import IntegrityError

from engine import driver, versions
from engine import statements as sql
from engine.db import write_transaction
from engine.tables import EVENT
from tests.engine.counties import make_county

AT = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
KINDS = select(EVENT.c.kind).where(EVENT.c.kind.in_(bindparam("kinds", expanding=True)))


def _county_id(db: DbEngine) -> int:
    versions.publish(db, make_county(), by="测试")
    return versions.county_id(db, "testa")


def _event(county_id: int, kind: str) -> dict[str, object]:
    return {
        "county_id": county_id,
        "case_id": None,
        "ticket_id": None,
        "at": AT,
        "actor": "测试",
        "kind": kind,
        "before": None,
        "after": None,
        "note": "",
    }


def _kinds(db: DbEngine, *kinds: str) -> list[str]:
    with db.connect() as conn:
        return sorted(conn.execute(KINDS, {"kinds": list(kinds)}).scalars())


def test_driver_and_sqlalchemy_statements_commit_together(db: DbEngine) -> None:
    county_id = _county_id(db)
    commits: list[object] = []

    def heard(conn: object) -> None:
        commits.append(conn)

    event.listen(db, "commit", heard)
    try:
        with write_transaction(db) as conn:
            driver.run(conn, sql.INSERT_EVENT, _event(county_id, "驱动"))
            # a SQLAlchemy statement autobegins on the same, already open transaction
            conn.execute(sql.INSERT_EVENT, _event(county_id, "语句"))
            assert _kinds(db, "驱动", "语句") == []  # another connection sees nothing yet
    finally:
        event.remove(db, "commit", heard)
    assert _kinds(db, "驱动", "语句") == ["语句", "驱动"]
    assert len(commits) == 1  # commit listeners still hear of it, once
    assert db.pool.checkedout() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("with_sqlalchemy", [False, True])
def test_a_failure_rolls_back_everything(db: DbEngine, with_sqlalchemy: bool) -> None:
    county_id = _county_id(db)
    with pytest.raises(RuntimeError), write_transaction(db) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "回滚甲"))
        if with_sqlalchemy:
            conn.execute(sql.INSERT_EVENT, _event(county_id, "回滚乙"))
        raise RuntimeError("fail after the writes")
    assert _kinds(db, "回滚甲", "回滚乙") == []
    assert db.pool.checkedout() == 0  # type: ignore[attr-defined]
    with write_transaction(db) as conn:  # the connection is clean for the next transaction
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "之后"))
    assert _kinds(db, "之后") == ["之后"]


def test_a_database_error_is_sqlalchemys_and_undoes_earlier_writes(db: DbEngine) -> None:
    county_id = _county_id(db)
    with pytest.raises(IntegrityError), write_transaction(db) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "先写"))
        driver.run(conn, sql.INSERT_EVENT, _event(999_999, "坏"))  # no such county
    assert _kinds(db, "先写", "坏") == []


def test_a_failed_commit_is_sqlalchemys_error_and_rolls_back(db: DbEngine) -> None:
    county_id = _county_id(db)

    def refuse(_conn: object) -> None:  # runs before the driver's COMMIT is sent
        raise IntegrityError("COMMIT", None, Exception("refused"))

    with pytest.raises(IntegrityError), write_transaction(db) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "未提交"))
        event.listen(conn, "commit", refuse)
        conn.execute(select(EVENT.c.id).limit(1))  # SQLAlchemy's own commit path
    assert _kinds(db, "未提交") == []
    assert db.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_connection_left_in_autocommit_still_gets_one_transaction(
    db: DbEngine, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("autocommit is psycopg's connection attribute; SQLite begins explicitly")
    county_id = _county_id(db)
    pooled = db.raw_connection()
    pooled.dbapi_connection.autocommit = True  # type: ignore[union-attr]
    pooled.close()  # back to the pool as a careless reader might leave it
    with pytest.raises(RuntimeError), write_transaction(db) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "自动提交"))
        raise RuntimeError("fail after the write")
    assert _kinds(db, "自动提交") == []
