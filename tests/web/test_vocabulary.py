"""One vocabulary (issue 18): the timeline names each action as the definition does (not
「办理」 for all), never shows internal names (assigned, party), says 办结 once, on the staff
timeline and on the citizen's progress page; a version is a number, not a hash."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.web.conftest import csrf_of
from tests.web.flow import HANDLING_FIELDS, REVISIT_FIELDS, as_form, cast
from tests.web.test_citizen_pages import lookup, register
from tests.web.test_web_flow import act, sign_in


def labels(page: str) -> list[str]:
    found = re.search(r"<h2>办理轨迹</h2>\s*<ol class=\"timeline\">(.*?)</ol>", page, re.S)
    assert found is not None, page
    return re.findall(r"<strong>([^<]*)</strong>", found.group(1))


def visible(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))


def test_the_whole_path_reads_in_the_definitions_words_and_says_closed_once(
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
    client.cookies.clear()
    path = link.group(1).removeprefix("http://testserver")
    token = csrf_of(client, path)
    assert client.post(path, data={"score": "满意", "csrf_token": token}).status_code == 200
    sign_in(client, people["evaluator"].username)
    if "评价完成" in client.get(f"/cases/{code}").text:
        act(client, code, "评价完成", {"score": "满意"})
    sign_in(client, people["revisitor"].username)
    act(client, code, "核实办结", as_form(REVISIT_FIELDS))

    page = client.get(f"/cases/{code}").text
    words = labels(page)
    for action in ("派发给承办单位", "接单", "调处化解", "核实办结"):
        assert action in words, words
    assert "办理" not in words  # no action is shown by its effect's generic word
    assert sum("办结" in w for w in words) == 1, words
    text = visible(page)
    for internal in ("party", "assigned", "completed", "closing"):
        assert internal not in text, internal
    assert "当事人" in text  # who evaluated, in words

    citizen = visible(lookup(client, code))
    timeline = citizen[citizen.index("办理经过") :]
    assert timeline.count("办结") == 1, timeline


def test_a_changed_office_reads_as_words_not_assigned(client: TestClient, db: Engine) -> None:
    people = cast(db)
    code = register(client, people["clerk"].username)
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "人民调解委员会", "instruction": "调委会调解"})
    words = labels(client.get(f"/cases/{code}").text)
    assert "改由人民调解委员会承办" in words, words
    assert "assigned" not in words
    assert "改由人民调解委员会承办" in lookup(client, code)  # the citizen is told too
