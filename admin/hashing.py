"""Password checks off the event loop, a few at a time, at low CPU priority.

Argon2 takes a fifth of a second of CPU on purpose. Each check runs in a thread of a small
pool of its own (SLOTS threads per process), so forty guessers can neither take the threads
the other pages need (Starlette's pool has forty) nor every core; its threads run at nice
+10 (Linux schedules threads one by one), so the API and the staff pages get the CPU first
and a flood of logins slows logins, not intake. Checks beyond the slots wait in that pool's
queue; when WAITING are already waiting, or one address already has PER_ADDRESS checks
running or waiting, the login is answered "try again shortly" at once, uncounted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from admin import accounts

SLOTS = max(1, (os.cpu_count() or 2) // 2)
# Short: with a queue of 32, forty guessers from forty addresses made every login, staff's
# too, wait over a minute on a busy two-core machine; refusing at once lets them retry.
WAITING = 8 * SLOTS
PER_ADDRESS = 4
BUSY_RETRY_SECONDS = 5
NICENESS = 10

_lock = threading.Lock()
_in_flight: dict[str, int] = {}
_executor: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    # This thread only: on Linux each thread has its own nice value. Elsewhere, or when not
    # allowed, the checks run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + NICENESS))


def executor() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=SLOTS, thread_name_prefix="yidi-password", initializer=_lower_priority
            )
        return _executor


def _verify(password_hash: str, password: str) -> bool:
    # Looked up at call time: tests put a slow checker here to catch a lock held across it.
    return accounts.verify_password(password_hash, password)


def claim(address: str) -> bool:
    """Take a place for one check from this address (False: too busy now). A login claims
    before it reserves its attempt (admin/throttle.py), so a reserved attempt is checked."""
    with _lock:
        if _in_flight.get(address, 0) >= PER_ADDRESS:
            return False
        if sum(_in_flight.values()) >= SLOTS + WAITING:
            return False
        _in_flight[address] = _in_flight.get(address, 0) + 1
        return True


def release(address: str) -> None:
    with _lock:
        left = _in_flight[address] - 1
        if left:
            _in_flight[address] = left
        else:
            del _in_flight[address]


async def check_claimed(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash, on the checking threads (a place is claimed)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor(), _verify, password_hash, password)


# The device-cookie lane (admin/devices.py): one thread of its own at normal priority, so a
# staff member's check never queues behind a flood's; a few at once, else "busy".
TRUSTED_AT_ONCE = 4
_trusted = [0]
_trusted_executor: ThreadPoolExecutor | None = None


async def check_trusted(password_hash: str, password: str) -> bool | None:
    """A check for a browser with a device cookie; None when that lane is full too."""
    global _trusted_executor
    with _lock:
        if _trusted[0] >= TRUSTED_AT_ONCE:
            return None
        _trusted[0] += 1
        if _trusted_executor is None:
            _trusted_executor = ThreadPoolExecutor(1, thread_name_prefix="yidi-device")
        pool = _trusted_executor
    try:
        return await asyncio.get_running_loop().run_in_executor(
            pool, _verify, password_hash, password
        )
    finally:
        with _lock:
            _trusted[0] -= 1


async def check(address: str, password_hash: str, password: str) -> bool | None:
    """Whether the password matches the hash; None when too busy to check now."""
    if not claim(address):
        return None
    try:
        return await check_claimed(password_hash, password)
    finally:
        release(address)
