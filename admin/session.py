"""Signed-cookie sessions: HttpOnly, SameSite=Lax, Secure whenever the request came over https.

Starlette's own SessionMiddleware fixes the Secure flag at start-up; a county server is often
reached over plain http on the intranet and over https through a proxy, so we decide per
request. The cookie holds only the user id, the session epoch and the CSRF token.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "yidi_session"
MAX_AGE = 12 * 3600  # one working day and a bit: staff log in each morning
VERIFIED_CACHE = 4096  # cookies remembered per worker
# Load balancers' and process managers' probes: polled every few seconds without cookies, they
# must not be handed a new session (and its CSRF token) each time. A cookie sent with a probe
# is still read, so a probe costs what any signed-in request costs in this middleware.
PROBES = frozenset({"/healthz", "/readyz"})


def _now() -> float:
    return time.time()


class SessionMiddleware:
    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.signer = TimestampSigner(secret_key, salt="yidi.session")
        # Cookies whose signature was verified, by their exact value: a staff member sends the
        # same cookie all day, and checking the HMAC again each time is pure overhead.
        self._verified: dict[str, tuple[float, dict[str, Any]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = HTTPConnection(scope).cookies
        session = self._load(cookies.get(COOKIE, ""))
        probe = scope["path"] in PROBES
        if "csrf" not in session and not probe:
            session["csrf"] = secrets.token_urlsafe(32)
        original = dict(session)  # flat str/int values: a copy compares like the JSON did
        had_cookie = COOKIE in cookies
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and not probe
                and (scope["session"] != original or not had_cookie)
            ):
                headers = MutableHeaders(scope=message)
                headers.append("Set-Cookie", self._cookie(scope))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, raw: str) -> dict[str, Any]:
        if not raw:
            return {}
        known = self._verified.get(raw)
        if known is not None:
            signed_at, data = known
            # The same expiry as itsdangerous' max_age check, without verifying again.
            return dict(data) if _now() - signed_at <= MAX_AGE else {}
        try:
            payload, signed = self.signer.unsign(
                raw.encode("ascii"), max_age=MAX_AGE, return_timestamp=True
            )
            data = json.loads(base64.urlsafe_b64decode(payload))
        except (BadSignature, ValueError, UnicodeError):
            return {}
        if not isinstance(data, dict):
            return {}
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()  # bounded: start again rather than grow
        self._verified[raw] = (signed.timestamp(), data)
        return dict(data)

    def _cookie(self, scope: Scope) -> str:
        session = scope["session"]
        payload = base64.urlsafe_b64encode(json.dumps(session).encode("utf-8"))
        value = self.signer.sign(payload).decode("ascii")
        flags = f"Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax"
        if scope.get("scheme") == "https":
            flags += "; Secure"
        return f"{COOKIE}={value}; {flags}"
