"""Fixtures for the web tests: users and logging in (the app and client come from
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from tests.support import csrf_of as csrf_of

PASSWORD = "Yidi-test-2026"


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
