"""Login and logout at /login and /logout."""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin import devices, hashing
from admin.accounts import LoginResult, begin_login, end_sessions, finish_login, throttled
from admin.auth import current_user
from admin.limits import form_of
from admin.ratelimit import client_address
from admin.start_page import demo_present
from admin.web import database_work, read_only, render
from engine.db import utcnow

T = TypeVar("T")


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
    # Off the event loop on PostgreSQL, in autocommit: inline, this one question (a pool
    # check, BEGIN, two queries, ROLLBACK: five round trips) held the loop that answers every
    # other request, and forty guessers reading this page before each try made it the loop's
    # largest cost, ahead of the API's own intakes (bench.attack, py-spy).
    demo = await database_work(request, demo_present, read_only(request.app.state.db))
    return render(request, "login.html", {"next": next_url, "username": "", "demo": demo})


async def login_submit(request: Request) -> Response:
    form = await form_of(request)
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/inbox")))
    if not username or not password:
        context = {"error": "请输入用户名和密码", "next": next_url, "username": username}
        return render(request, "login.html", context, status=400)
    trusted = devices.trusted(request, username)
    if trusted:
        result = await check_trusted_login(request, username, password)
    else:
        result = await check_login(request, username, password)
    if result.user_id is None:
        if result.wait:
            await hold_refusal(request.app.state)
        context = {"error": result.error, "next": next_url, "username": username}
        response = render(request, "login.html", context, status=429 if result.wait else 401)
        if result.wait:
            response.headers["Retry-After"] = str(max(1, int(result.wait.total_seconds())))
        if trusted and not result.wait:
            devices.forget(response)  # one guess per device cookie
        return response
    # A fresh CSRF token at login: a token planted before login is worthless afterwards.
    request.session.clear()
    request.session.update(
        {"uid": result.user_id, "epoch": result.epoch, "csrf": secrets.token_urlsafe(32)}
    )
    signed_in = RedirectResponse(next_url, status_code=303)
    devices.remember(request, signed_in, username)
    return signed_in


# A refused (429) login is answered after this long. The refusal itself costs almost nothing
# (no query, no hash), but a guesser answered at once asks again at once: forty of them made
# about 740 requests a second, and the single event loop shared its time among them and the
# API, whose p99 rose 2.6-fold (bench.attack). Held, each guesser asks about once per hold,
# and a held answer costs no CPU. At most HELD_AT_ONCE are held; past that one is not held.
HOLD_SECONDS = 2.0
HELD_AT_ONCE = 512
_held = [0]
_pause = asyncio.sleep  # looked up at call time: a test records the holds


async def hold_refusal(state: Any) -> None:
    seconds = float(getattr(state, "login_hold_seconds", HOLD_SECONDS))
    if seconds <= 0 or _held[0] >= HELD_AT_ONCE:
        return
    _held[0] += 1
    try:
        await _pause(seconds)
    finally:
        _held[0] -= 1


async def check_login(request: Request, username: str, password: str) -> LoginResult:
    """Reserve the attempt (a short write that counts it, admin/throttle.py), check the
    password off the event loop and outside any database transaction, then give the
    reservation back on success (a short write). On SQLite the old single
    transaction held the write lock for the whole Argon2 check: 40 guessers stalled every
    other writer, and the API's intakes with them."""
    db, address = request.app.state.db, client_address(request)
    clock = getattr(request.app.state, "clock", None)
    now = clock.now() if clock is not None else utcnow()
    waiting = address_waits(request.app.state)
    until = waiting.get(address)
    if until is not None and until > now:  # known without a query: the flood's cheap answer
        return throttled(until - now)
    if not hashing.claim(address):  # a place to check first: a reserved attempt is checked
        return throttled(timedelta(seconds=hashing.BUSY_RETRY_SECONDS))
    try:
        attempt = await in_login_thread(begin_login, db, username, address, now)
        if attempt.waits.address:
            remember_wait(waiting, address, now + attempt.waits.address, now)
        if attempt.waits.longest:
            return throttled(attempt.waits.longest)
        verified = await hashing.check_claimed(attempt.password_hash, password)
    finally:
        hashing.release(address)
    return await in_login_thread(finish_login, db, attempt, verified, now)


async def check_trusted_login(request: Request, username: str, password: str) -> LoginResult:
    """A login from a browser holding this account's device cookie: no per-address wait and
    its own lane of password checks (admin/devices.py); a failure is counted as any other."""
    db, address = request.app.state.db, client_address(request)
    clock = getattr(request.app.state, "clock", None)
    now = clock.now() if clock is not None else utcnow()
    attempt = await in_login_thread(begin_login, db, username, address, now, True)
    verified = await hashing.check_trusted(attempt.password_hash, password)
    if verified is None:
        return throttled(timedelta(seconds=hashing.BUSY_RETRY_SECONDS))
    return await in_login_thread(finish_login, db, attempt, verified, now)


# Logins' reads and writes run a few at a time: forty guessers in forty of Starlette's threads
# fought the event loop for the GIL and slowed every other page (bench.attack).
LOGIN_THREADS = 4
_login_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def in_login_thread(work: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    limiter = _login_limiters.get(loop)
    if limiter is None:
        limiter = _login_limiters[loop] = CapacityLimiter(LOGIN_THREADS)
    return await anyio.to_thread.run_sync(work, *args, limiter=limiter)


def address_waits(state: Any) -> dict[str, datetime]:
    """Addresses this process was told (by the database) must wait, until when. Only ever
    stricter than the database within that time: an address's counter is never cleared
    early (a success or a password reset clears account counters only)."""
    found: dict[str, datetime] | None = getattr(state, "login_address_waits", None)
    if found is None:
        found = state.login_address_waits = {}
    return found


def remember_wait(
    waiting: dict[str, datetime], address: str, until: datetime, now: datetime
) -> None:
    if len(waiting) >= 10_000:  # bounded: forget the waits that are over
        for key in [k for k, v in waiting.items() if v <= now]:
            del waiting[key]
        if len(waiting) >= 10_000:
            waiting.clear()
    waiting[address] = until


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
