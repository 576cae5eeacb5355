"""The foundation: settings, migrations, health probes, request log, command line."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from starlette.testclient import TestClient

import server
from engine import schema
from engine.db import make_engine
from engine.settings import load_settings


def _app(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIDI_SECRET_KEY", raising=False)
    return TestClient(server.create_app(load_settings(), db))


def test_secret_key_is_generated_once_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YIDI_SECRET_KEY", raising=False)
    first = load_settings().secret_key
    assert len(first) >= 40
    assert load_settings().secret_key == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_settings_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YIDI_SECRET_KEY", "configured")
    monkeypatch.setenv("YIDI_PORT", "9123")
    monkeypatch.delenv("YIDI_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.secret_key == "configured"
    assert settings.port == 9123
    assert settings.database_url == f"sqlite:///{tmp_path / 'yidi.db'}"


def test_migrations_are_current_after_upgrade(db: Engine) -> None:
    assert schema.is_current(db)
    assert "0001_foundation" in schema.current_heads(db) or schema.current_heads(db)


def test_the_declared_indexes_are_the_migrated_ones(db: Engine) -> None:
    """engine/tables.py names every index the migrations create on its tables, and no other,
    so that the models are a true description of the database (both backends)."""
    import admin.accounts
    import admin.console.store  # noqa: F401
    import engine.scheduler  # noqa: F401
    from engine.tables import Base

    found = inspect(db)
    differ = {}
    for name, table in Base.metadata.tables.items():
        declared = {index.name for index in table.indexes}
        # (PostgreSQL also lists the indexes behind UNIQUE constraints: those are constraints)
        migrated = {
            index["name"]
            for index in found.get_indexes(name)
            if not index.get("duplicates_constraint")
        }
        if declared != migrated:
            differ[name] = (declared - migrated, migrated - declared)
    assert differ == {}


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_healthz_and_readyz(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _app(db, tmp_path, monkeypatch)
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200, response.text


def test_readyz_refuses_when_migrations_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    client = _app(empty, tmp_path, monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "migrations pending"


def test_readyz_refuses_when_database_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    client = _app(unreachable, tmp_path, monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_one_log_line_per_request_without_query_string(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = _app(db, tmp_path, monkeypatch)
    with caplog.at_level(logging.INFO, logger="yidi.request"):
        client.get("/healthz?phone=13812345678")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "yidi.request"]
    assert len(lines) == 1
    assert lines[0]["path"] == "/healthz" and lines[0]["status"] == 200
    assert set(lines[0]) == {"method", "path", "status", "ms", "user"}
    assert "13812345678" not in caplog.text


def test_cli_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        server.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    parser = server.build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert name in out


def test_db_upgrade_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("YIDI_DATABASE_URL", url)
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path))
    assert server.main(["db", "upgrade"]) == 0
    engine = make_engine(url)
    assert schema.is_current(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM county")).scalar() == 0


def test_the_evaluation_token_never_reaches_the_request_log(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The one-time evaluation link is a secret: whoever reads the log could evaluate."""
    client = _app(db, tmp_path, monkeypatch)
    secret = "Zq8w3TcSeCrEt0token"
    with caplog.at_level(logging.INFO, logger="yidi.request"):
        client.get(f"/evaluate/XG20261206001/{secret}")
        client.post(f"/evaluate/XG20261206001/{secret}", data={})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "yidi.request"]
    assert [line["path"] for line in lines] == ["/evaluate/XG20261206001/***"] * 2
    assert secret not in caplog.text
