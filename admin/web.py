"""The workbench's Jinja2 environment (autoescaped) and the page-rendering helper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta, timezone
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

import forms
from admin.limits import form_of

CST = timezone(timedelta(hours=8))  # county local time, no DST
TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(forms.templates_dir)]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates ship with the code and change only with a restart: no stat() of each template
    # file on every render.
    auto_reload=False,
)
forms.install_filters(env)


def local_time(value: Any) -> str:
    """UTC in the database, China Standard Time on screen (2026-11-22 16:21)."""
    if value is None:
        return "—"
    t = value + (CST.utcoffset(None) - value.utcoffset())
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"


env.filters["local"] = local_time
env.filters["mask"] = forms.mask

NAV = (
    ("/inbox", "待办"),
    ("/intake", "受理登记"),
    ("/search", "查询"),
    ("/letters", "函件"),  # admin/letter_pages.py
    ("/library", "案例库"),  # 调解案例库, admin/case_library.py
    ("/dashboards/", "统计"),
)
ADMIN_NAV = (("/console/", "配置"),)  # the county console, for administrators only


def nav_for(user: Any) -> tuple[tuple[str, str], ...]:
    """The main navigation for this user, on every page (staff, dashboards, console).
    受理登记 only for those at a window: anyone else would follow it to a 403."""
    shown = tuple(
        (path, label) for path, label in NAV if path != "/intake" or getattr(user, "windows", None)
    )
    return shown + ADMIN_NAV if getattr(user, "is_admin", False) else shown


def csrf_token(request: Request) -> str:
    token: str = request.session.get("csrf", "")
    return token


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    return HTMLResponse(page_html(request, template, context), status_code=status)


def page_html(request: Request, template: str, context: dict[str, Any] | None = None) -> str:
    """A page's HTML: the template with the context every page gets (user, CSRF token, nav)."""
    user = getattr(request.state, "user", None)
    token = csrf_token(request) if "session" in request.scope else ""
    return page_for(
        template, user, token, request.url.path, {"request": request, **(context or {})}
    )


def page_for(template: str, user: Any, token: str, path: str, context: dict[str, Any]) -> str:
    """`page_html` from what it takes of the request: who asks, their CSRF token, the path."""
    values = {"user": user, "csrf_token": token, "nav": nav_for(user), "path": path}
    values.update(context)
    return env.get_template(template).render(values)


T = TypeVar("T")
Page = Callable[[Request], Awaitable[Response]]


@cache
def read_only(db: Engine) -> Engine:
    """The engine (same pool) for a page's reads. On PostgreSQL its connections run in
    autocommit: no BEGIN before the first query and no ROLLBACK when the connection goes back
    to the pool, two of an inbox request's round trips per connection. SQLite keeps its own
    transactions (a deferred BEGIN costs no round trip there)."""
    if db.dialect.name == "sqlite":
        return db
    return db.execution_options(isolation_level="AUTOCOMMIT")


async def database_work(request: Request, work: Callable[..., T], *args: Any) -> T:
    """Run a page's blocking database work where it costs least.

    On PostgreSQL a query is mostly waiting for the server: in the thread pool the event loop
    serves other requests meanwhile (inline, one page at a time: 53 inbox pages/s against 280).
    On SQLite a query is a short stretch of CPU in this process: inline it costs a fifth less
    than with a hop to a thread and back (and WAL reads never wait for a writer)."""
    if request.app.state.db.dialect.name == "sqlite":
        return work(*args)
    return await run_in_threadpool(work, *args)


def database_page(work: Callable[[Request], Response]) -> Page:
    """A page whose work is blocking database work, as an endpoint that runs it through
    `database_work` (the endpoint keeps the work's name, which is also its route's name)."""

    @wraps(work)
    async def endpoint(request: Request) -> Response:
        return await database_work(request, work, request)

    return endpoint


def database_form_page(work: Callable[[Request, FormData], Response]) -> Page:
    """`database_page` for a form's POST: the body is read on the event loop, where it
    arrives, and the work gets it as `submitted`."""

    @wraps(work)
    async def endpoint(request: Request) -> Response:
        submitted = await form_of(request)  # uploads closed by the request layer after
        return await database_work(request, work, request, submitted)

    return endpoint
