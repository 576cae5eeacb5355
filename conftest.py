"""Fixtures shared by tests/ and features/: a fresh database on the backend under test, a live
server, and a headless Chromium.

The backend is SQLite unless YIDI_TEST_DATABASE_URL names a PostgreSQL database (`.ci/run`
sets it and `make test` runs the suite once per backend).
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine import schema
from engine.db import make_engine

PG_URL = os.environ.get("YIDI_TEST_DATABASE_URL")
CHROMIUM = os.environ.get("YIDI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "test-artifacts"


def pytest_report_header(config: pytest.Config) -> str:
    return f"yidi database backend: {'postgresql' if PG_URL else 'sqlite'}"


@pytest.fixture(scope="session", autouse=True)
def _one_hash_per_password() -> Iterator[None]:
    """Hash each test password once per session, not once per account per test.

    Argon2 takes about a fifth of a second on purpose; the fixtures that create accounts
    (tests/web's users, the console's administrators, demo accounts) made hundreds of hashes
    of the same few passwords, and the web tests alone hashed 23 accounts per test. The hash
    is a real Argon2id hash, verified by the real login; only its making is shared."""
    import admin.accounts

    patch = pytest.MonkeyPatch()
    patch.setattr(admin.accounts, "hash_password", functools.cache(admin.accounts.hash_password))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        schema.upgrade(engine)
        yield engine
        engine.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        schema.upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield path


def _truncate_all(engine: Engine) -> None:
    with engine.begin() as connection:
        existing = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        names = [name for name in existing if name != "alembic_version"]
        if names:
            quoted = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(_migrated_template: Any, tmp_path: Path) -> str:
    """URL of a fresh, migrated, empty database for this test."""
    if PG_URL:
        _truncate_all(_migrated_template)
        return PG_URL
    target = tmp_path / "yidi.db"
    shutil.copyfile(_migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    """A SQLAlchemy engine on a fresh, migrated, empty database for this test."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def is_postgres() -> bool:
    return PG_URL is not None


# --- live server and browser -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; returns its base URL."""
    import uvicorn

    servers: list[tuple[Any, threading.Thread]] = []

    def start(app: Any) -> str:
        port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start within 10 s")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"headless Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("YIDI_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (YIDI_REQUIRE_BROWSER=1: browser tests are required)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any) -> Iterator[Any]:
    """A fresh browser page (own context: cookies are not shared between tests)."""
    context = _browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and other files a person may want to look at after a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
