"""The web application's routes (workbench, citizen pages, API, console, dashboards)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from admin import inbox, login


def routes() -> list[BaseRoute]:
    return [*login.routes(), Route("/inbox", inbox.inbox)]
