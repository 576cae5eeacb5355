from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.reports import periods
from engine.reports.periods import PeriodError


def test_month_boundaries_in_china_time() -> None:
    nov = periods.month_of(date(2026, 11, 17))
    assert (nov.first, nov.end) == (date(2026, 11, 1), date(2026, 12, 1))
    assert nov.start_utc == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert nov.end_utc == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert periods.month_of(date(2026, 12, 31)).end == date(2027, 1, 1)
    assert nov.label == "2026年11月"
    assert len(nov.days) == 30


def test_iso_week_starts_monday() -> None:
    week = periods.week_of(date(2026, 11, 4))  # a Wednesday
    assert (week.first, week.end) == (date(2026, 11, 2), date(2026, 11, 9))
    assert week.label.startswith("2026年第45周")
    assert week.previous().first == date(2026, 10, 26)


def test_previous_month_and_day() -> None:
    assert periods.month_of(date(2026, 3, 15)).previous().first == date(2026, 2, 1)
    assert periods.month_of(date(2026, 3, 15)).previous().end == date(2026, 3, 1)
    assert periods.day_of(date(2026, 11, 1)).previous().first == date(2026, 10, 31)


def test_parse() -> None:
    today = date(2026, 11, 20)
    assert periods.parse("", "", "", today) == periods.month_of(today)
    assert periods.parse("day", "2026-11-03", "", today) == periods.day_of(date(2026, 11, 3))
    custom = periods.parse("custom", "2026-11-03", "2026-11-05", today)
    assert (custom.first, custom.end) == (date(2026, 11, 3), date(2026, 11, 6))


@pytest.mark.parametrize(
    ("kind", "day", "last", "message"),
    [
        ("year", "", "", "未知的统计周期"),
        ("day", "2026-13-01", "", "日期格式不正确"),
        ("custom", "2026-11-05", "2026-11-03", "结束日期不能早于开始日期"),
        ("custom", "2025-01-01", "2026-11-03", "最长 366 天"),
    ],
)
def test_bad_periods(kind: str, day: str, last: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        periods.parse(kind, day, last, date(2026, 11, 20))


def test_local_today() -> None:
    assert periods.local_today(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == date(2026, 12, 1)
