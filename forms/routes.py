"""Web routes of forms/ (htmx fragments), mounted by server.py under /forms."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
