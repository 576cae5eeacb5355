"""One structured log line per request: method, path, status, latency, user.

The query string is never logged: lookups carry phone numbers and names there. Paths that
carry a secret (the citizen's one-time evaluation token) are logged with the secret masked.
"""

from __future__ import annotations

import json
import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("yidi.request")

# Path segments that are secrets: /evaluate/<case code>/<one-time token>.
SECRET_PATHS = (re.compile(r"^(/evaluate/[^/]+/)[^/]+"),)


def loggable_path(path: str) -> str:
    for pattern in SECRET_PATHS:
        path = pattern.sub(r"\1***", path)
    return path


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if log.isEnabledFor(logging.INFO):  # no JSON for a line nobody keeps
                self._log(scope, status, start)

    @staticmethod
    def _log(scope: Scope, status: int, start: float) -> None:
        state = scope.get("state") or {}
        line = {
            "method": scope["method"],
            "path": loggable_path(scope["path"]),
            "status": status,
            "ms": round((time.perf_counter() - start) * 1000, 1),
            "user": state.get("username"),
        }
        log.info(json.dumps(line, ensure_ascii=False))
