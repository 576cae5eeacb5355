"""A database that cannot be reached is a 503 with Retry-After and a Chinese message, never a
500 or a trace, whether SQLAlchemy wrapped the driver's error or the pool handed it out bare
(the PostgreSQL restart itself: tests/system/test_database_restart.py)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import OperationalError
from starlette.routing import Route
from starlette.testclient import TestClient

DOWN = [
    OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")),
    psycopg.OperationalError("connection failed: Connection refused"),
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    sqlite3.OperationalError("database is locked"),
]


@pytest.mark.parametrize("error", DOWN, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("path", ["/down", "/api/v1/down"])
def test_the_database_away_is_a_503_to_retry(app, error, path):
    async def down(request):
        raise error

    app.router.routes.append(Route(path, down))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "数据库暂时无法访问" in response.text
    assert "Traceback" not in response.text and "refused" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
    if path.startswith("/api/"):
        assert response.json()["status"] == 503
