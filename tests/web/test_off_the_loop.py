"""Where the login page's database work runs (issue 16, bench.attack): on PostgreSQL in the
thread pool, never on the event loop, whose every round trip to the server held up all other
requests (forty guessers reading /login before each try made the login page's question the
loop's largest cost under attack, py-spy); on SQLite inline, where a query is a short
stretch of CPU in this process (admin.web.database_work). The answers are the same either
way. Both backends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

import admin.login
from admin.demo import create_demo_accounts
from tests.web.counties import publish_xiaogan, xiaogan


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
