"""Login and logout at /login and /logout."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin import hashing
from admin.accounts import LoginResult, begin_login, end_sessions, finish_login, throttled
from admin.auth import current_user
from admin.ratelimit import client_address
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
    result = await check_login(request, username, password)
    if result.user_id is None:
        context = {"error": result.error, "next": next_url, "username": username}
        response = render(request, "login.html", context, status=429 if result.wait else 401)
        if result.wait:
            response.headers["Retry-After"] = str(max(1, int(result.wait.total_seconds())))
        return response
    # A fresh CSRF token at login: a token planted before login is worthless afterwards.
    request.session.clear()
    request.session.update(
        {"uid": result.user_id, "epoch": result.epoch, "csrf": secrets.token_urlsafe(32)}
    )
    return RedirectResponse(next_url, status_code=303)


async def check_login(request: Request, username: str, password: str) -> LoginResult:
    """Read (a short query), check the password off the event loop and outside any database
    transaction, then write the counters (a short write). On SQLite the old single
    transaction held the write lock for the whole Argon2 check: 40 guessers stalled every
    other writer, and the API's intakes with them."""
    db, address = request.app.state.db, client_address(request)
    clock = getattr(request.app.state, "clock", None)
    now = clock.now() if clock is not None else utcnow()
    attempt = await run_in_threadpool(begin_login, db, username, address, now)
    if attempt.wait:
        return throttled(attempt.wait)
    verified = await hashing.check(address, attempt.password_hash, password)
    if verified is None:  # too many checks already running or waiting: nothing counted
        return throttled(timedelta(seconds=hashing.BUSY_RETRY_SECONDS))
    return await run_in_threadpool(finish_login, db, attempt, verified, now)


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
