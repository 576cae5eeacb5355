"""Outcome meanings over HTTP (issue 20, point 5): 调解成功率 counts the declared meaning of an
outcome, never its name. Xiaogan's mediated success is called 化解成功 (`结果 化解成功 类别
调解成功`) and its failure 调解不成: one of each, taken through the web to the end, gives 50 %."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import csrf_of
from tests.web.flow import HANDLING_FIELDS, INTAKE_FIELDS, REVISIT_FIELDS, as_form, cast
from tests.web.test_web_flow import act, sign_in


@pytest.fixture
def people(db):
    return cast(db)


def register(client: TestClient, people) -> str:
    sign_in(client, people["clerk"].username)
    token = csrf_of(client, "/intake")
    form = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    registered = client.post("/intake", data={**form, "_visits": "1", "csrf_token": token})
    assert registered.status_code == 303, registered.text
    receipt = client.get(registered.headers["location"])
    return re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt.text).group(1)


def handle_to_the_end(client: TestClient, people, code: str, action: str, result: str) -> None:
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    sign_in(client, people["handler"].username)
    act(client, code, "接单", {})
    act(client, code, action, as_form({**HANDLING_FIELDS, "result": result}))
    sign_in(client, people["evaluator"].username)
    act(client, code, "评价完成", {"score": "满意"})
    sign_in(client, people["revisitor"].username)
    act(client, code, "核实办结", as_form(REVISIT_FIELDS))
    assert "已办结" in client.get(f"/cases/{code}").text


def metric(html: str, key: str) -> str:
    found = re.search(
        rf'data-metric="{key}">\s*<span class="metric-label">[^<]*</span>\s*'
        r'<span class="metric-value">([^<]*)</span>',
        html,
    )
    assert found, key
    return found.group(1)


def test_mediation_success_counts_the_declared_meaning_not_the_name(client, people):
    mediated = register(client, people)
    failed = register(client, people)
    handle_to_the_end(client, people, mediated, "调处化解", "化解成功")
    handle_to_the_end(client, people, failed, "调解不成", "调解不成")

    sign_in(client, people["revisitor"].username)  # the county center sees the whole county
    board = client.get("/dashboards/")
    assert board.status_code == 200, board.text
    assert metric(board.text, "mediation") == "50.0%"  # 化解成功 means 调解成功
    assert metric(board.text, "resolution") == "50.0%"  # 调解不成 is not resolved
    assert metric(board.text, "closed") == "2"
