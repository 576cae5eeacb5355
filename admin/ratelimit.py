"""A small in-process sliding-window limiter for the public lookup (per IP and per case code).

In-process is enough for the embedded single-process server; behind several workers each has
its own window, which still bounds guessing to a small multiple of the limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from starlette.requests import Request


def client_address(request: Request) -> str:
    """The caller's address as the server saw the connection. X-Forwarded-For counts only
    when `yidi serve` is told which proxies to trust (YIDI_TRUSTED_PROXIES: uvicorn then puts
    the real client here); otherwise anyone could pick a fresh address for every guess."""
    return request.client.host if request.client else "unknown"


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record an attempt; False when `key` already made `limit` attempts in the window."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(moment)
            if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v}
            return True
