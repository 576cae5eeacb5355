"""The web application's routes (workbench, citizen pages, API, console, dashboards)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
