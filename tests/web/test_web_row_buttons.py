"""Add/remove-row buttons with JavaScript off: a POST with `_op` to the window intake or to a
step form answers with the same form, the row added or removed, the values as typed, no
validation errors, and nothing stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

import dsl
from admin.demo import create_demo_accounts
from engine import versions
from engine.clock import ManualClock
from engine.tables import CASE, TICKET, Event
from tests.web.casework import MONDAY, open_case, open_ticket
from tests.web.conftest import csrf_of
from tests.web.counties import DEFINITIONS
from tests.web.flow import INTAKE_FIELDS, TOWN, as_form, cast
from tests.web.test_web_ticket_ops import sign_in

PARTICIPANTS = {
    "type": "array",
    "title": "参与调解人员",
    "items": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string", "title": "姓名", "minLength": 2}},
    },
}


def count(db: Engine, table: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def intake_form(client: TestClient, **extra: str) -> dict[str, str]:
    token = csrf_of(client, "/intake")
    return {
        **as_form(INTAKE_FIELDS),
        "channel": "来访",
        "_window": f"综合窗口|{TOWN}",
        "csrf_token": token,
        **extra,
    }


def test_intake_add_row_without_javascript_keeps_the_values_and_stores_nothing(client, db):
    people = cast(db)
    sign_in(client, people["clerk"].username)
    answer = client.post("/intake", data=intake_form(client, _op="add:parties"))
    assert answer.status_code == 200
    assert 'name="parties/1/name"' in answer.text
    assert 'value="王小明"' in answer.text  # the first row as typed
    assert "yf-error" not in answer.text and 'role="alert"' not in answer.text
    assert count(db, CASE) == 0


def test_intake_remove_row_without_javascript(client, db):
    people = cast(db)
    sign_in(client, people["clerk"].username)
    fields = intake_form(
        client,
        **{"parties/1/name": "李四", "parties/1/role": "被申请人"},
        _op="remove:parties/0",
    )
    answer = client.post("/intake", data=fields)
    assert answer.status_code == 200
    assert 'value="李四"' in answer.text and 'value="王小明"' not in answer.text
    assert 'name="parties/1/name"' not in answer.text
    assert count(db, CASE) == 0


def test_intake_row_button_without_the_csrf_token_is_refused(client, db):
    people = cast(db)
    sign_in(client, people["clerk"].username)
    fields = intake_form(client, _op="add:parties")
    del fields["csrf_token"]
    assert client.post("/intake", data=fields).status_code == 403


@pytest.fixture
def with_participants(db: Engine, tmp_path: Path) -> Any:
    """xiaogan whose 办理情况 step form lists the people who took part (an array)."""
    folder = tmp_path / "xiaogan"
    shutil.copytree(DEFINITIONS / "xiaogan", folder)
    path = folder / "forms" / "办理情况.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["participants"] = PARTICIPANTS
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    model = dsl.compile_county(folder)
    versions.publish(db, model, by="test")
    accounts = create_demo_accounts(db, [model])
    return next(
        a
        for a in accounts
        if a.membership and a.membership.center == TOWN and a.membership.office == "司法所"
    )


def test_step_form_add_row_without_javascript_keeps_the_values_and_acts_not(
    client, db, app, with_participants
):
    clock = ManualClock(MONDAY)
    app.state.clock = clock
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, with_participants.username)
    url = f"/tickets/{ticket}/act/化解"
    page = client.get(url)
    assert page.status_code == 200 and 'value="add:participants"' in page.text
    token = csrf_of(client, url)
    events = count(db, Event)
    fields = {
        "method": "人民调解",
        "notes": "组织双方现场调解，达成协议",
        "_reason": "备注一句",
        "csrf_token": token,
    }
    answer = client.post(url, data={**fields, "_op": "add:participants"})
    assert answer.status_code == 200
    assert 'name="participants/0/name"' in answer.text
    assert "组织双方现场调解" in answer.text and "备注一句" in answer.text
    assert "yf-error" not in answer.text  # result is still empty: no error yet
    answer = client.post(
        url,
        data={
            **fields,
            "participants/0/name": "张调解",
            "participants/1/name": "李律师",
            "_op": "remove:participants/0",
        },
    )
    assert answer.status_code == 200
    assert 'value="李律师"' in answer.text and 'value="张调解"' not in answer.text
    assert count(db, Event) == events
    with db.connect() as conn:
        assert conn.execute(select(TICKET.c.state).where(TICKET.c.id == ticket)).scalar() == "open"

    done = client.post(
        url,
        data={**fields, "result": "化解成功", "participants/0/name": "李律师"},
    )
    assert done.status_code == 303  # the real submit still acts
    with db.connect() as conn:
        stored = conn.execute(select(TICKET.c.data).where(TICKET.c.id == ticket)).scalar()
    assert stored["participants"] == [{"name": "李律师"}]


def test_online_intake_add_row_without_javascript_stores_nothing(client, db):
    cast(db)
    token = csrf_of(client, "/online/xiaogan")
    fields = {**as_form(INTAKE_FIELDS), "csrf_token": token, "_op": "add:parties"}
    answer = client.post("/online/xiaogan", data=fields)
    assert answer.status_code == 200
    assert 'name="parties/1/name"' in answer.text and 'value="王小明"' in answer.text
    assert "yf-error" not in answer.text
    assert count(db, CASE) == 0
