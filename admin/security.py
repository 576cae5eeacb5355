"""Security headers on every response, and the CSRF check on every state-changing request.

The CSRF token lives in the session; forms carry it in a hidden `csrf_token` field and htmx
sends it as `X-CSRF-Token` (set once through `hx-headers` on <body>, so no inline script).
The JSON API under /api/ is exempt: it authenticates with Bearer keys, never with cookies.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin import limits
from admin.limits import form_of

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_BODY = limits.MAX_BODY  # (the request layer enforces it)
EXEMPT_PREFIXES = ("/api/",)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CSRFMiddleware:
    """Refuse a state-changing request whose token does not match the session's (403).

    The body was read, limited and parsed by the request layer (admin.limits), which runs
    first: the token is read from the form it parsed, and the body goes on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith(EXEMPT_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get("csrf", "")
        request = Request(scope, receive)
        supplied = request.headers.get("x-csrf-token", "")
        if not supplied and _is_form(request):
            value = (await form_of(request)).get("csrf_token")
            supplied = value if isinstance(value, str) else ""
        if not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
            from admin.errors import csrf_failure  # errors imports templates; avoid a cycle

            await csrf_failure(request)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
