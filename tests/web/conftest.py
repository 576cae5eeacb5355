"""Fixtures for the web tests: an app on the test database, a client, and helpers to log in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.settings import Settings
from server import create_app

PASSWORD = "Yidi-test-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="test-secret-key-for-web-tests",
        host="127.0.0.1",
        port=0,
        log_level="warning",
    )


@pytest.fixture
def app(settings: Settings, db: Engine) -> Starlette:
    return create_app(settings, db)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's hidden field."""
    found = TOKEN.search(client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)


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
