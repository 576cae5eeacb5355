"""The web application's routes (workbench, citizen pages, API, console, dashboards)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from admin import dashboards, inbox, login


def routes() -> list[BaseRoute]:
    return [
        *login.routes(),
        Route("/inbox", inbox.inbox),
        Mount("/dashboards", routes=dashboards.routes()),
    ]
