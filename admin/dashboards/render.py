"""Rendering dashboard pages with the workbench's layout, filters and autoescaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from admin import web

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    base_loader = web.env.loader
    assert base_loader is not None
    return web.env.overlay(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), base_loader]))


env = _environment()


def render_html(template: str, values: dict[str, Any]) -> str:
    return env.get_template(template).render(values)


def page(request: Request, template: str, values: dict[str, Any]) -> HTMLResponse:
    base = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": web.csrf_token(request) if "session" in request.scope else "",
        "nav": web.nav_for(getattr(request.state, "user", None)),
        "path": request.url.path,
    }
    return HTMLResponse(render_html(template, {**base, **values}))


def download(data: bytes, filename: str, media_type: str) -> Response:
    from urllib.parse import quote

    disposition = f"attachment; filename=\"ledger\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
