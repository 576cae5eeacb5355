"""Password checks off the event loop, a few at a time.

Argon2 takes a fifth of a second of CPU on purpose. Each check runs in a worker thread, at
most SLOTS at once per process, so that forty guessers cannot take every thread the other
pages need (Starlette's thread pool has forty) nor every core. Checks beyond the slots wait
without a thread; when WAITING are already waiting, or one address already has PER_ADDRESS
checks running or waiting, the login is answered "try again shortly" at once, uncounted.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref

import anyio.to_thread
from anyio import CapacityLimiter

from admin import accounts

SLOTS = max(1, (os.cpu_count() or 2) // 2)
# Short: under forty guessers from forty addresses a queue of 32 made every login, staff's
# too, wait over a minute on a busy two-core machine; refusing at once lets them retry.
WAITING = 8 * SLOTS
PER_ADDRESS = 4
BUSY_RETRY_SECONDS = 5

_lock = threading.Lock()
_in_flight: dict[str, int] = {}
# One limiter per event loop (a worker has one; each test client has its own).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    with _lock:
        found = _limiters.get(loop)
        if found is None:
            found = _limiters[loop] = CapacityLimiter(SLOTS)
        return found


async def check(address: str, password_hash: str, password: str) -> bool | None:
    """Whether the password matches the hash; None when too busy to check now."""
    limiter = _limiter()
    with _lock:
        if _in_flight.get(address, 0) >= PER_ADDRESS:
            return None
        if limiter.statistics().tasks_waiting >= WAITING:
            return None
        _in_flight[address] = _in_flight.get(address, 0) + 1
    try:
        # Looked up at call time: tests put a slow checker here to catch a lock held across it.
        return await anyio.to_thread.run_sync(
            accounts.verify_password, password_hash, password, limiter=limiter
        )
    finally:
        with _lock:
            left = _in_flight[address] - 1
            if left:
                _in_flight[address] = left
            else:
                del _in_flight[address]
