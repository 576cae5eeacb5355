"""The engine's sense of "now": injectable, so tests and Gherkin scenarios can travel in time.

Everything in the engine that needs the current time takes a `Clock` instead of calling
`datetime.now()`, so a scenario can say "three working days later" and the timers fire.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

# China Standard Time: county local time; China has had no daylight saving time since 1991.
CST = timezone(timedelta(hours=8), "CST")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock (what `yidi serve` and `yidi worker` use)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"时间必须带时区（收到无时区时间 {moment.isoformat()}）")
    return moment.astimezone(UTC)


class ManualClock:
    """A clock that only moves when told to; shared safely between a test and worker threads."""

    def __init__(self, start: datetime) -> None:
        self._now = _require_aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        moment = _require_aware(moment)
        with self._lock:
            self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        """Move forward (never back: timers already fired cannot un-fire) and return the new now."""
        if delta < timedelta(0):
            raise ValueError(f"时钟只能向前拨动（收到 {delta}）")
        with self._lock:
            self._now = self._now + delta
            return self._now
