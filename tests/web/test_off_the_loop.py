"""Where the login page's and the API intake's database work runs (issue 16, bench.attack): on
PostgreSQL in the thread pool, never on the event loop, whose every round trip to the server
held up all other requests (forty guessers reading /login before each try made the login
page's question the loop's largest cost under attack, py-spy); on SQLite inline, where a
query is a short stretch of CPU in this process (admin.web.database_work). The answers are
the same either way. Both backends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

import admin.api
import admin.login
from admin.accounts import create_api_key
from admin.demo import create_demo_accounts
from tests.web.counties import intake_data, publish_xiaogan, xiaogan


def on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def recording(work: Callable[..., Any], seen: list[bool]) -> Callable[..., Any]:
    def recorded(*args: Any, **kwargs: Any) -> Any:
        seen.append(on_the_loop())
        return work(*args, **kwargs)

    return recorded


def expected(db: Engine) -> bool:
    """Whether the work is meant to run on the event loop: on SQLite only."""
    return db.dialect.name == "sqlite"


def test_the_login_page_asks_the_database_off_the_loop_on_postgresql(
    client, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(admin.login, "demo_present", recording(admin.login.demo_present, seen))
    publish_xiaogan(db)
    page = client.get("/login")
    assert page.status_code == 200 and "开始使用" not in page.text  # no demo accounts
    create_demo_accounts(db, [xiaogan()])
    page = client.get("/login")
    assert page.status_code == 200 and "开始使用" in page.text
    assert seen == [expected(db), expected(db)]


def test_an_api_intake_runs_its_database_work_off_the_loop_on_postgresql(
    client, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_xiaogan(db)
    headers = {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}
    seen: list[bool] = []
    monkeypatch.setattr(admin.api, "caller_for_token", recording(admin.api.caller_for_token, seen))
    monkeypatch.setattr(admin.api, "workflow", recording(admin.api.workflow, seen))
    created = client.post("/api/v1/cases", json={"data": intake_data()}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["code"].startswith("XG-")
    refused = client.post("/api/v1/cases", json={"data": {}}, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"], refused.text
    unknown = client.post("/api/v1/cases", json={"data": intake_data()})
    assert unknown.status_code == 401
    # the key read and the intake itself; the key read of the refused push
    assert seen == [expected(db)] * 3
