"""Citizen pages a citizen understands (issue 18): the receipt names the center, its address and
phone and what was received, with a 办结期限 even when the process has only step deadlines and
a QR code that opens the progress page; progress says which step, which office, by when and
whom to call; the evaluation page asks for the 意见建议 the county's form defines, and a used
link says it was used instead of showing the form again."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import dsl
from engine import versions
from engine.tables import TICKET
from tests.web.conftest import csrf_of
from tests.web.flow import HANDLING_FIELDS, INTAKE_FIELDS, PHONE, as_form, cast
from tests.web.test_web_flow import act, sign_in
from tests.web.test_web_rules import sign_in as sign_in_seeded
from tests.web.test_web_seed_intake import DEFINITIONS, clerk_at_a_window

DATE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


def register(client: TestClient, clerk: str) -> str:
    sign_in(client, clerk)
    token = csrf_of(client, "/intake")
    form = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    registered = client.post("/intake", data={**form, "_visits": "1", "csrf_token": token})
    assert registered.status_code == 303, registered.text
    found = re.search(r"/cases/([A-Z]+-\d{4}-\d{6})/receipt", registered.headers["location"])
    assert found is not None
    return found.group(1)


def lookup(client: TestClient, code: str) -> str:
    client.cookies.clear()
    token = csrf_of(client, "/progress")
    page = client.post("/progress", data={"code": code, "phone": PHONE, "csrf_token": token})
    assert page.status_code == 200, page.text
    return page.text


def test_the_receipt_names_the_center_its_address_and_phone_and_what_was_received(
    client: TestClient, db: Engine
) -> None:
    people = cast(db)
    code = register(client, people["clerk"].username)
    receipt = client.get(f"/cases/{code}/receipt").text
    assert "孝感市 书院街道" in receipt  # the county and the center that received the case
    assert "孝感市孝南区槐荫大道 1 号" in receipt and "0712-2862345" in receipt
    assert "邻居装修噪音扰民" in receipt  # what was received
    assert "110101199003074514" not in receipt  # personal data masked on paper
    # The QR code holds a link to the progress page with the code, not the bare code.
    assert f"<title>http://testserver/progress?code={code}</title>" in receipt


def test_the_qr_link_uses_the_configured_public_address_and_fills_in_the_code(
    app, client: TestClient, db: Engine
) -> None:
    app.state.settings = replace(app.state.settings, public_url="https://tiaojie.example.cn")
    people = cast(db)
    code = register(client, people["clerk"].username)
    receipt = client.get(f"/cases/{code}/receipt").text
    assert f"<title>https://tiaojie.example.cn/progress?code={code}</title>" in receipt
    client.cookies.clear()
    opened = client.get(f"/progress?code={code}")
    assert f'name="code" value="{code}"' in opened.text


def test_the_receipt_projects_the_due_date_when_the_process_has_only_step_deadlines(
    client: TestClient, db: Engine
) -> None:
    model = dsl.compile_county(DEFINITIONS / "demo-xiaozhen")
    assert all(p.case_deadline is None for p in model.processes.values())
    versions.publish(db, model, by="test")
    username, window = clerk_at_a_window(db, model)
    sign_in_seeded(client, username)
    token = csrf_of(client, "/intake")
    fields = {
        "category": "邻里纠纷",
        "severity": "一般",
        "location/town": "东镇",
        "parties/0/name": "张三",
        "parties/0/phone": "13800001111",
        "summary": "邻居装修噪音扰民，协商未果",
        "_channel": "来访",
        "_window": window,
        "_visits": "1",
    }
    registered = client.post("/intake", data={**fields, "csrf_token": token})
    assert registered.status_code == 303, registered.text
    receipt = client.get(registered.headers["location"]).text
    due = re.search(r'id="receipt-due">([^<]*)<', receipt)
    assert due is not None and re.match(DATE, due.group(1)), receipt


def test_progress_says_which_step_which_office_by_when_and_whom_to_call(
    client: TestClient, db: Engine
) -> None:
    people = cast(db)
    code = register(client, people["clerk"].username)
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请尽快调解"})
    page = lookup(client, code)
    steps = re.search(r'<ul class="progress-steps">(.*?)</ul>', page, re.S)
    assert steps is not None, page
    assert re.search(rf"接单</strong>：由 书院街道 司法所 办理，{DATE} 前完成", steps.group(1))
    assert re.search(rf'id="progress-due">{DATE} 前', page)
    assert "0712-2862345" in page  # whom to call
    for person in (people["handler"], people["dispatcher"], people["clerk"]):
        assert person.display_name not in page and person.username not in page
    assert "请尽快调解" not in page  # notes stay inside


def test_the_evaluation_page_asks_for_the_forms_comment_and_a_used_link_says_so(
    client: TestClient, db: Engine
) -> None:
    people = cast(db)
    code = register(client, people["clerk"].username)
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请尽快调解"})
    sign_in(client, people["handler"].username)
    act(client, code, "接单", {})
    act(client, code, "调处化解", as_form(HANDLING_FIELDS))
    sign_in(client, people["evaluator"].username)
    token = csrf_of(client, f"/cases/{code}")
    link_page = client.post(f"/cases/{code}/evaluation-link", data={"csrf_token": token})
    link = re.search(r'id="evaluation-link" href="([^"]+)"', link_page.text)
    assert link is not None
    path = link.group(1).removeprefix("http://testserver")

    client.cookies.clear()
    form = client.get(path)
    assert "意见建议" in form.text and 'name="comment"' in form.text  # from forms/评价.json
    token = csrf_of(client, path)
    comment = "调解员很耐心，希望回访再及时些"
    thanks = client.post(path, data={"score": "满意", "comment": comment, "csrf_token": token})
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.text
    with db.connect() as conn:
        kept = conn.execute(select(TICKET.c.data).where(TICKET.c.completed_by == "party")).one()
    assert kept.data == {"score": "满意", "comment": comment}

    again = client.get(path)
    assert again.status_code == 410
    assert "已使用" in again.text and 'name="score"' not in again.text
