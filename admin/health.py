"""Liveness and readiness probes for load balancers and process managers; the site icon."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from engine import schema


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.db
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = schema.is_current(engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "database": "migrations pending"}, 503)
    return JSONResponse({"status": "ready"})


ICON = Path(__file__).parent / "static" / "favicon.ico"


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on every page whatever the page links: answer it."""
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(ICON, media_type="image/x-icon", headers=headers)
