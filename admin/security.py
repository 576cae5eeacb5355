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
MAX_BODY = 30 * 1024 * 1024  # the largest form with attachments; the body is read into memory
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
    """Refuse a state-changing request whose token does not match the session's (403)."""

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
        body = await _read_body(receive)
        if body is None:
            from admin.errors import error_response

            await error_response(Request(scope), 413)(scope, _replayer(b""), send)
            return
        replay = _replayer(body)
        request = Request(scope, _replayer(body))
        supplied = request.headers.get("x-csrf-token", "")
        if not supplied and _is_form(request):
            form = await request.form()
            value = form.get("csrf_token")
            supplied = value if isinstance(value, str) else ""
            await form.close()
        if not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
            from admin.errors import csrf_failure  # errors imports templates; avoid a cycle

            await csrf_failure(request)(scope, replay, send)
            return
        await self.app(scope, replay, send)


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when it is larger than MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
