"""Signed-cookie sessions: HttpOnly, SameSite=Lax, Secure whenever the request came over https.

Starlette's own SessionMiddleware fixes the Secure flag at start-up; a county server is often
reached over plain http on the intranet and over https through a proxy, so we decide per
request. The cookie holds only the user id, the session epoch and the CSRF token.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "yidi_session"
MAX_AGE = 12 * 3600  # one working day and a bit: staff log in each morning


class SessionMiddleware:
    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.signer = TimestampSigner(secret_key, salt="yidi.session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(HTTPConnection(scope).cookies.get(COOKIE, ""))
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        original = json.dumps(session, sort_keys=True)
        had_cookie = COOKIE in HTTPConnection(scope).cookies
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = json.dumps(scope["session"], sort_keys=True)
                if current != original or not had_cookie:
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(scope))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, raw: str) -> dict[str, Any]:
        if not raw:
            return {}
        try:
            payload = self.signer.unsign(raw.encode("ascii"), max_age=MAX_AGE)
            data = json.loads(base64.urlsafe_b64decode(payload))
        except (BadSignature, ValueError, UnicodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie(self, scope: Scope) -> str:
        session = scope["session"]
        payload = base64.urlsafe_b64encode(json.dumps(session).encode("utf-8"))
        value = self.signer.sign(payload).decode("ascii")
        flags = f"Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax"
        if scope.get("scheme") == "https":
            flags += "; Secure"
        return f"{COOKIE}={value}; {flags}"
