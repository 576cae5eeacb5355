"""The steps of a xiaogan case over HTTP, shared by the system tests: publishing through the
console, registering at the window and through the API, and each role's action."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx

from tests.system.people import Staff
from tests.web.counties import DEFINITIONS, intake_data
from tests.web.flow import HANDLING_FIELDS, INTAKE_FIELDS, REVISIT_FIELDS, as_form


def publish(admin: Staff, county: str = "xiaogan") -> None:
    """The administrator writes the county's files in the console and publishes them."""
    folder = DEFINITIONS / county
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.suffix not in (".yd", ".json"):
            continue  # acceptance features and notes are not part of the definition
        saved = admin.post(
            "/console/files/save",
            {"path": relative, "text": path.read_text("utf-8")},
            form="/console/files",
        )
        assert saved.status_code == 303, saved.text[-2000:]
    note = {"note": "首次发布"}
    confirm = admin.post("/console/versions/confirm", note, form="/console/versions")
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', confirm.text)
    assert digest is not None, confirm.text[-2000:]
    published = admin.post(
        "/console/versions/publish", {**note, "digest": digest[1]}, form="/console/versions"
    )
    assert published.status_code == 200 and "已发布第 1 版" in published.text, published.text[
        -2000:
    ]


def register(clerk: Staff) -> str:
    form = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    return clerk.register({**form, "_visits": "1"})


def api_intake(**changes: Any) -> dict[str, Any]:
    return intake_data(**changes)


def dispatch(dispatcher: Staff, code: str) -> None:
    dispatcher.act(code, "派发给承办单位", {"office": "司法所", "instruction": "请尽快调解"})


def handle(handler: Staff, code: str) -> None:
    handler.act(code, "接单")
    handler.act(code, "调处化解", as_form(HANDLING_FIELDS))


def evaluate(evaluator: Staff, code: str) -> None:
    """The evaluator makes the one-time link; the citizen, with no login, rates 满意."""
    token = evaluator.csrf(f"/cases/{code}")
    page = evaluator.http.post(f"/cases/{code}/evaluation-link", data={"csrf_token": token})
    assert page.status_code == 200, page.text[-2000:]
    found = re.search(r'id="evaluation-link" href="([^"]+)"', page.text)
    assert found, page.text[-2000:]
    link = found.group(1)
    base = str(evaluator.http.base_url)
    path = link[link.index("/evaluate/") :]
    with httpx.Client(base_url=base, timeout=30) as citizen:
        form = citizen.get(path)
        token_found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token_found, form.text[-2000:]
        thanks = citizen.post(path, data={"score": "满意", "csrf_token": token_found.group(1)})
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.text, thanks.text[-2000:]
    if evaluator.action_url(code, "评价完成"):
        evaluator.act(code, "评价完成", {"score": "满意"})


def verify(revisitor: Staff, code: str) -> None:
    revisitor.act(code, "核实办结", as_form(REVISIT_FIELDS))
    assert "已办结" in revisitor.http.get(f"/cases/{code}").text
