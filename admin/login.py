"""Login and logout at /login and /logout."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin.accounts import authenticate, end_sessions
from admin.auth import current_user
from admin.web import render
from engine.db import utcnow


def _safe_next(target: str) -> str:
    """Only same-site paths: an open redirect would let phishing links borrow our login."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/inbox"
    return target


async def login_page(request: Request) -> Response:
    if current_user(request) is not None:
        return RedirectResponse("/inbox", status_code=303)
    next_url = _safe_next(request.query_params.get("next", "/inbox"))
    return render(request, "login.html", {"next": next_url, "username": ""})


async def login_submit(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/inbox")))
    if not username or not password:
        context = {"error": "请输入用户名和密码", "next": next_url, "username": username}
        return render(request, "login.html", context, status=400)
    # Argon2 takes tens of milliseconds of CPU on purpose (and releases the GIL): in a thread,
    # so that a morning of logins does not stall every other page.
    result = await run_in_threadpool(
        authenticate, request.app.state.db, username, password, utcnow()
    )
    if result.user_id is None:
        context = {"error": result.error, "next": next_url, "username": username}
        return render(request, "login.html", context, status=401)
    # A fresh CSRF token at login: a token planted before login is worthless afterwards.
    request.session.clear()
    request.session.update(
        {"uid": result.user_id, "epoch": result.epoch, "csrf": secrets.token_urlsafe(32)}
    )
    return RedirectResponse(next_url, status_code=303)


async def logout(request: Request) -> Response:
    user = current_user(request)
    if user is not None:
        end_sessions(request.app.state.db, user.id)
    request.session.clear()
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse("/login", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
