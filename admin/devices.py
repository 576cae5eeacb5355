"""Device cookies: the staff's path through a login flood, without a CAPTCHA.

A successful login leaves a signed cookie naming the account (OWASP's "device cookie"). A
later login to that account from that browser skips the per-address waits and the shared
queue of password checks, which a flood from many addresses fills, and goes to a lane of its
own: a staff member keeps signing in while guessers are refused. The lane gives one guess per
cookie: a wrong password clears it, and the next try takes the common path with its limits.
An attacker has no such cookie for an account unless they have already signed in to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "yidi_device"
MAX_AGE = 180 * 24 * 3600  # half a year: a staff member's own browser


def _secret(request: Request) -> bytes:
    return str(request.app.state.settings.secret_key).encode("utf-8")


def _mac(secret: bytes, username: str, issued: str, nonce: str) -> str:
    message = f"yidi.device|{username}|{issued}|{nonce}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def trusted(request: Request, username: str) -> bool:
    """Whether this browser holds a valid device cookie for `username`."""
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return False
    issued, nonce, mac = parts
    if time.time() - int(issued) > MAX_AGE:
        return False
    return hmac.compare_digest(mac, _mac(_secret(request), username, issued, nonce))


def remember(request: Request, response: Response, username: str) -> None:
    issued, nonce = str(int(time.time())), secrets.token_urlsafe(12)
    value = f"{issued}.{nonce}.{_mac(_secret(request), username, issued, nonce)}"
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/login")
