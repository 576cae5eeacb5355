"""Audit: the database itself refuses to change or delete an event, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from engine.cases import Engine
from engine.scope import Principal
from engine.tables import EVENT
from tests.engine.conftest import only_open, receive


def _events(db: DbEngine) -> list[tuple[object, ...]]:
    with db.connect() as conn:
        return [tuple(row) for row in conn.execute(select(EVENT).order_by(EVENT.c.id))]


def test_events_cannot_be_changed_or_deleted(wf: Engine, dispatcher: Principal) -> None:
    wf.act(dispatcher, only_open(receive(wf)), "派单", {})
    before = _events(wf.db)
    assert len(before) >= 2
    for statement in (
        update(EVENT).values(note="改写"),
        update(EVENT).where(EVENT.c.kind == "received").values(actor="别人"),
        delete(EVENT),
        delete(EVENT).where(EVENT.c.id == before[-1][0]),
    ):
        with pytest.raises(DBAPIError, match="审计事件只能追加"), wf.db.begin() as conn:
            conn.execute(statement)
    assert _events(wf.db) == before
    wf.act(dispatcher, only_open(receive(wf)), "派单", {})
    assert len(_events(wf.db)) > len(before)  # appending goes on
