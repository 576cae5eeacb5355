"""The whole path over HTTP: register -> dispatch -> accept -> resolve -> evaluate by link ->
revisit verifies; every page as each role sees it, through the real engine."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from admin.demo import demo_password
from tests.web.conftest import csrf_of
from tests.web.flow import HANDLING_FIELDS, INTAKE_FIELDS, PHONE, REVISIT_FIELDS, as_form, cast


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": demo_password(), "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def act(client: TestClient, code: str, action: str, fields: dict[str, str]) -> None:
    page = client.get(f"/cases/{code}").text
    found = re.search(rf'href="(/tickets/\d+/act/[^"]+)">{action}<', page)
    assert found, f"no action {action} on {code}"
    url = found.group(1)
    token = csrf_of(client, url)
    response = client.post(url, data={**fields, "csrf_token": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/cases/{code}")


@pytest.fixture
def people(db):
    return cast(db)


def test_whole_path_register_dispatch_accept_resolve_evaluate_revisit(client, people, db):
    sign_in(client, people["clerk"].username)
    page = client.get("/intake")
    assert page.status_code == 200 and "受理登记" in page.text
    token = csrf_of(client, "/intake")
    form = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    registered = client.post("/intake", data={**form, "_visits": "1", "csrf_token": token})
    assert registered.status_code == 303, registered.text
    receipt = client.get(registered.headers["location"])
    code = re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt.text).group(1)
    assert "<svg" in receipt.text  # the QR code

    sign_in(client, people["dispatcher"].username)
    assert code in client.get("/inbox").text
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请尽快调解"})

    sign_in(client, people["other_town_handler"].username)
    assert code not in client.get("/inbox").text

    sign_in(client, people["handler"].username)
    assert code in client.get("/inbox").text
    act(client, code, "接单", {})
    act(client, code, "调处化解", as_form(HANDLING_FIELDS))
    assert code in client.get("/inbox?tab=done").text

    sign_in(client, people["evaluator"].username)
    token = csrf_of(client, f"/cases/{code}")
    link_page = client.post(f"/cases/{code}/evaluation-link", data={"csrf_token": token})
    assert link_page.status_code == 200, link_page.text
    link = re.search(r'id="evaluation-link" href="([^"]+)"', link_page.text).group(1)

    client.cookies.clear()
    path = link.removeprefix("http://testserver")
    token = csrf_of(client, path)
    thanks = client.post(path, data={"score": "满意", "csrf_token": token})
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.text
    token = csrf_of(client, "/progress")
    reused = client.post(path, data={"score": "不满意", "csrf_token": token})
    assert reused.status_code == 410  # the link works once

    sign_in(client, people["evaluator"].username)
    if "评价完成" in client.get(f"/cases/{code}").text:
        act(client, code, "评价完成", {"score": "满意"})

    sign_in(client, people["revisitor"].username)
    act(client, code, "核实办结", as_form(REVISIT_FIELDS))
    case_page = client.get(f"/cases/{code}").text
    assert "已办结" in case_page

    client.cookies.clear()
    token = csrf_of(client, "/progress")
    progress = client.post("/progress", data={"code": code, "phone": PHONE, "csrf_token": token})
    assert "已办结" in progress.text
