"""The injectable clock (engine/clock.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import CST, Clock, ManualClock, SystemClock


def test_system_clock_is_aware_utc_and_follows_the_wall_clock() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.tzinfo == UTC
    assert before <= now <= after


def test_manual_clock_travels_only_when_told() -> None:
    clock: Clock = ManualClock(datetime(2026, 10, 8, 9, 0, tzinfo=CST))
    assert clock.now() == datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC
    assert isinstance(clock, ManualClock)
    assert clock.advance(timedelta(days=3, minutes=5)) == datetime(2026, 10, 11, 1, 5, tzinfo=UTC)
    assert clock.now() == datetime(2026, 10, 11, 1, 5, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, tzinfo=CST))
    assert clock.now() == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_manual_clock_refuses_naive_times_and_going_back() -> None:
    with pytest.raises(ValueError, match="必须带时区"):
        ManualClock(datetime(2026, 10, 8, 9, 0))
    clock = ManualClock(datetime(2026, 10, 8, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="必须带时区"):
        clock.set(datetime(2026, 10, 9))
    with pytest.raises(ValueError, match="只能向前"):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == datetime(2026, 10, 8, 9, 0, tzinfo=UTC)


def test_manual_clock_advances_are_not_lost_between_threads() -> None:
    clock = ManualClock(datetime(2026, 10, 8, tzinfo=UTC))

    def tick() -> None:
        for _ in range(1000):
            clock.advance(timedelta(seconds=1))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == datetime(2026, 10, 8, tzinfo=UTC) + timedelta(seconds=4000)
