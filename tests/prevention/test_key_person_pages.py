"""The key-person pages (admin/prevention_persons.py) through the web app: CSRF, Chinese
refusals with what was typed kept and nothing written, masking for the dispatcher, the full
record (and its audit event) for the office responsible, visits, escaping, another town's 404."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.key_person_tables import KEY_PERSON, KEY_PERSON_VISIT
from tests.prevention.pages import PASSWORD, prepare
from tests.prevention.rugao import KEY
from tests.prevention.test_key_persons import PERSON, count, events
from tests.support import csrf_of
from tests.web.conftest import login

NAME = "<b>冒某某</b>"


def test_the_register_in_the_workbench(db: Engine, app: Any, client: TestClient) -> None:
    prepare(db, app)
    create_user(
        db,
        "sifa",
        PASSWORD,
        display_name="sifa",
        county=KEY,
        memberships=[MembershipSpec("如城街道", "调解员", "司法所")],
    )
    assert login(client, "rucheng", PASSWORD) == 303
    form = {**PERSON, "name": NAME}
    assert client.post("/prevention/persons", data=form).status_code == 403  # no CSRF token
    token = csrf_of(client, "/prevention/persons")
    bad = client.post("/prevention/persons", data={**form, "phone": "12345", "csrf_token": token})
    assert bad.status_code == 422
    assert "联系电话应为 11 位手机号或带区号的固定电话" in bad.text
    assert "&lt;b&gt;冒某某&lt;/b&gt;" in bad.text and NAME not in bad.text  # kept, escaped
    assert count(db, KEY_PERSON) == 0
    made = client.post("/prevention/persons", data={**form, "csrf_token": token})
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    page = client.get(made.headers["location"])
    assert "已登记" in page.text and 'id="masked"' in page.text
    assert "320***********1235" in page.text and PERSON["id_number"] not in page.text
    assert PERSON["address"] not in page.text
    listed = client.get("/prevention/persons").text
    assert "139****2222" in listed and PERSON["phone"] not in listed
    assert events(db, "key_person_read") == []

    client.cookies.clear()
    assert login(client, "sifa", PASSWORD) == 303
    page = client.get(url)
    assert 'id="full"' in page.text and PERSON["id_number"] in page.text
    assert PERSON["address"] in page.text
    assert [actor for actor, _ in events(db, "key_person_read")] == ["sifa"]
    token = csrf_of(client, "/prevention/persons")
    empty = client.post(f"{url}/visit", data={"note": " ", "csrf_token": token})
    assert empty.status_code == 422 and "请填写走访情况" in empty.text
    assert count(db, KEY_PERSON_VISIT) == 0
    done = client.post(f"{url}/visit", data={"note": "情绪稳定", "csrf_token": token})
    assert done.status_code == 303
    assert "情绪稳定" in client.get(url).text

    client.cookies.clear()
    assert login(client, "baipu", PASSWORD) == 303
    token = csrf_of(client, "/prevention/persons")
    assert client.get(url).status_code == 404
    assert (
        client.post(f"{url}/visit", data={"note": "走访", "csrf_token": token}).status_code == 404
    )
    assert "没有登记的重点人员" in client.get("/prevention/persons").text
    assert count(db, KEY_PERSON_VISIT) == 1
