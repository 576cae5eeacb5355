"""Fixtures shared by the web and console tests: the app on the test database and a client.
(The database fixtures `db`/`db_url` and the browser fixtures live in the root conftest.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.settings import Settings
from server import create_app


@pytest.fixture(autouse=True)
def refused_logins_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests answer a throttled login at once (the served app holds it two
    seconds: admin.login.hold_refusal); tests/web/test_login_throttle.py checks the hold."""
    import admin.login

    monkeypatch.setattr(admin.login, "HOLD_SECONDS", 0.0)


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
