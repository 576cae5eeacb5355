"""Fixtures for the web tests: users and logging in (the app and client come from
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.clock import ManualClock
from tests.support import csrf_of as csrf_of
from tests.web.casework import MONDAY
from tests.web.flow import cast

PASSWORD = "Yidi-test-2026"


@pytest.fixture
def clock(app: Any) -> ManualClock:
    """The app's clock, set to the test Monday (the app's engine is made on first use, with
    this clock); move it to travel in time."""
    found = ManualClock(MONDAY)
    app.state.clock = found
    return found


@pytest.fixture
def people(db: Engine) -> dict[str, Any]:
    """The staff of tests.web.flow's county (clerk, dispatcher, mediators, ...)."""
    return cast(db)


@pytest.fixture
def make_user(db: Engine) -> Callable[..., str]:
    def make(
        username: str,
        *memberships: MembershipSpec,
        county: str = "xiaogan",
        display_name: str = "",
    ) -> str:
        create_user(
            db,
            username,
            PASSWORD,
            display_name=display_name or username,
            county=county,
            memberships=list(memberships),
        )
        return username

    return make


def login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return response.status_code
