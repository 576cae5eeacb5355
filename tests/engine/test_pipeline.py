"""engine.pipeline: a pipelined write transaction (PostgreSQL; SQLite runs the same calls on
today's path) keeps all-or-nothing, the guarded UPDATE's exactly-once check, SQLAlchemy's
results and errors, and the commit listeners; YIDI_PG_PIPELINE=0 runs today's path."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    update,
)
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import IntegrityError

from engine import driver, pipeline
from engine import statements as sql
from engine.db import make_engine, write_transaction
from engine.errors import ActionRefused
from engine.tables import EVENT
from tests.engine.test_write_transaction import _county_id, _event, _kinds

# A ticket-like row of the test's own (events are append-only) and a guarded UPDATE as
# actions.finish's: it changes the row only while the row is still open.
GUARD = Table(
    "pipeline_guard",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("state", String(20)),
    Column("done_by", String(20)),
)
GUARDED = (
    update(GUARD)
    .where(GUARD.c.id == bindparam("where_id"), GUARD.c.state == "open")
    .values(state="completed", done_by=bindparam("done_by"))
)


def refuse_unless_one(done: int) -> None:
    if done != 1:
        raise ActionRefused("该单已由他人办理")


def test_a_guard_that_matched_nothing_never_commits(db: DbEngine) -> None:
    county_id = _county_id(db)
    GUARD.metadata.create_all(db)
    with db.begin() as conn:
        conn.execute(insert(GUARD).values(id=1, state="open"))
    with write_transaction(db, pipelined=True) as conn:  # the first finish wins
        driver.execute_checked(conn, GUARDED, {"where_id": 1, "done_by": "甲"}, refuse_unless_one)
    with pytest.raises(ActionRefused), write_transaction(db, pipelined=True) as conn:
        driver.execute_checked(conn, GUARDED, {"where_id": 1, "done_by": "乙"}, refuse_unless_one)
        # written after the guard, before its answer is known: must not commit either
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "第二次之后"))
    assert _kinds(db, "第二次之后") == []
    with db.connect() as conn:
        assert conn.execute(select(GUARD.c.done_by)).scalars().all() == ["甲"]
    assert db.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_queued_write_that_fails_is_sqlalchemys_error_and_undoes_all(db: DbEngine) -> None:
    county_id = _county_id(db)
    with pytest.raises(IntegrityError), write_transaction(db, pipelined=True) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "排队甲"))
        driver.run(conn, sql.INSERT_EVENT, _event(999_999, "坏"))  # no such county
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "排队乙"))
        conn.execute(select(EVENT.c.id).limit(1)).all()  # a read brings the answers
    assert _kinds(db, "排队甲", "坏", "排队乙") == []
    with write_transaction(db, pipelined=True) as conn:  # the connection is clean again
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "之后"))
    assert _kinds(db, "之后") == ["之后"]


def test_sqlalchemy_reads_see_queued_writes_and_listeners_hear_one_commit(
    db: DbEngine,
) -> None:
    county_id = _county_id(db)
    commits: list[object] = []

    def heard(conn: object) -> None:
        commits.append(conn)

    event.listen(db, "commit", heard)
    try:
        with write_transaction(db, pipelined=True) as conn:
            driver.run(conn, sql.INSERT_EVENT, _event(county_id, "管道"))
            seen = conn.execute(select(EVENT.c.kind).where(EVENT.c.kind == "管道")).scalars()
            assert list(seen) == ["管道"]
            assert _kinds(db, "管道") == []  # another connection sees nothing yet
    finally:
        event.remove(db, "commit", heard)
    assert _kinds(db, "管道") == ["管道"]
    assert len(commits) == 1


def test_a_commit_listener_still_refuses_before_anything_commits(db: DbEngine) -> None:
    county_id = _county_id(db)

    def refuse(_conn: object) -> None:
        raise IntegrityError("COMMIT", None, Exception("refused"))

    with pytest.raises(IntegrityError), write_transaction(db, pipelined=True) as conn:
        driver.run(conn, sql.INSERT_EVENT, _event(county_id, "未提交"))
        event.listen(conn, "commit", refuse)
        conn.execute(select(EVENT.c.id).limit(1))
    assert _kinds(db, "未提交") == []


@pytest.mark.parametrize("switch", ["1", "0"])
def test_the_switch_chooses_the_path(
    db_url: str, is_postgres: bool, switch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pipeline.SWITCH, switch)
    db = make_engine(db_url)
    try:
        with write_transaction(db, pipelined=True) as conn:
            queued = pipeline.active(conn) is not None
        assert queued == (is_postgres and switch == "1")
        assert db.pool._pre_ping == (is_postgres and switch == "0")  # type: ignore[attr-defined]
    finally:
        db.dispose()
