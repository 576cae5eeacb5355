"""Fixtures for the console tests (the app and client come from tests/conftest.py):
administrators of two counties, and a helper that publishes the small test county through
the console's own path."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from admin.console import store
from admin.console.checking import check
from engine import versions
from tests.console.county import files
from tests.support import csrf_of as csrf_of

PASSWORD = "Yidi-console-2026"


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
