"""The one engine object per app, and the mapping of its refusals to Chinese messages.

The engine is created lazily so that the web app starts (and its auth pages work) on a
database where no county has been published yet.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request


def workflow(request: Request) -> Any:
    """engine.cases.Engine for this app (shared; it holds no per-request state)."""
    app: Starlette = request.app
    found = getattr(app.state, "workflow", None)
    if found is None:
        from engine.cases import Engine

        found = Engine(app.state.db, getattr(app.state, "clock", None))
        app.state.workflow = found
    return found


def field_errors(exc: Exception) -> list[dict[str, str]]:
    """engine.errors.ValidationFailed -> [{"path", "message"}]."""
    items = getattr(exc, "field_errors", None) or getattr(exc, "errors", None) or []
    return [{"path": str(e.path), "message": str(e.message)} for e in items]


def refusal(exc: Exception) -> str:
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    return str(message) or "该操作未能完成"
