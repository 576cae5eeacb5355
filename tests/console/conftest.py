"""Fixtures for the console tests: the app on the test database, administrators of two
counties, and a helper that publishes the small test county through the console's own path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from admin.console import store
from admin.console.checking import check
from engine import versions
from engine.settings import Settings
from server import create_app
from tests.console.county import files

PASSWORD = "Yidi-console-2026"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        secret_key="test-secret-key-for-console-tests",
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


def make_admin(db: Engine, username: str, county: str) -> str:
    create_user(
        db,
        username,
        PASSWORD,
        display_name=username,
        county=county,
        memberships=[MembershipSpec(center="-", role="管理员")],
        is_admin=True,
    )
    return username


def publish_files(db: Engine, county: str, texts: dict[str, str], by: str = "seed") -> int:
    """Publish through the same compile + engine path as the console's publish button."""
    result = check(county, texts)
    assert result.ok, [p.listing for p in result.errors]
    return versions.publish(db, result.county, by=by).number


@pytest.fixture
def qingshan(db: Engine) -> Engine:
    """青山县 published (version 1), with its administrator `qs_admin`."""
    make_admin(db, "qs_admin", "qingshan")
    publish_files(db, "qingshan", files())
    return db


@pytest.fixture
def beishan(db: Engine) -> Engine:
    """Another county (北山, same text under another key) with its administrator `bs_admin`."""
    make_admin(db, "bs_admin", "beishan")
    publish_files(db, "beishan", files())
    return db


def csrf_of(client: TestClient, path: str = "/login") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)


def login(
    client: TestClient, username: str, password: str = PASSWORD, page: str = "/console/files"
) -> str:
    """Sign in and return the session's CSRF token (read from `page`) for later posts."""
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:500]
    return csrf_of(client, page) if page else ""


def draft_text(db: Engine, county: str, path: str) -> str | None:
    found = store.drafts(db, county).get(path)
    return None if found is None else found.text
