"""Reporting periods: calendar days, ISO weeks, months or custom ranges in China Standard Time.

A period is the half-open interval [start, end) of local days; the SQL compares UTC instants,
so `start_utc`/`end_utc` convert once here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

CST = timezone(timedelta(hours=8))
PeriodKind = Literal["day", "week", "month", "custom"]
KIND_LABELS: dict[str, str] = {"day": "日", "week": "周", "month": "月", "custom": "自定义"}
MAX_CUSTOM_DAYS = 366
# The days a period may be anchored on: far beyond any case, short of date's own limits.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


class PeriodError(ValueError):
    """A period the user asked for that cannot be computed; the message is for the user."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date  # first local day in the period
    end: date  # first local day after the period

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.first, time(), CST).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return datetime.combine(self.end, time(), CST).astimezone(UTC)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.end - self.first).days)]

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.first:%Y年%m月%d日}"
        if self.kind == "month":
            return f"{self.first:%Y年%m月}"
        iso = self.first.isocalendar()
        prefix = f"{iso.year}年第{iso.week}周 " if self.kind == "week" else ""
        return f"{prefix}{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"

    def previous(self) -> Period:
        """The period of the same kind just before this one (same length for custom)."""
        if self.kind == "month":
            return month_of(self.first - timedelta(days=1))
        length = self.end - self.first
        return Period(self.kind, self.first - length, self.first)


def day_of(day: date) -> Period:
    return Period("day", day, day + timedelta(days=1))


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=7))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following)


def custom(first: date, last: date) -> Period:
    if last < first:
        raise PeriodError("结束日期不能早于开始日期")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError(f"自定义周期最长 {MAX_CUSTOM_DAYS} 天")
    return Period("custom", first, last + timedelta(days=1))


def local_today(now: datetime) -> date:
    return now.astimezone(CST).date()


def _parse_day(text: str, what: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"{what}格式不正确，应为 YYYY-MM-DD：{text[:20]}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        # 0001-01-01 or 9999-12-31: the period's first day or the next one would overflow
        raise PeriodError(
            f"{what}应在 {FIRST_DAY.year} 年到 {LAST_DAY.year} 年之间：{day.isoformat()}"
        )
    return day


def parse(kind: str, day: str, last: str, today: date) -> Period:
    """The period from request parameters: kind, a day inside it (default today), custom end."""
    anchor = _parse_day(day, "日期") if day else today
    if kind in ("", "month"):
        return month_of(anchor)
    if kind == "week":
        return week_of(anchor)
    if kind == "day":
        return day_of(anchor)
    if kind == "custom":
        return custom(anchor, _parse_day(last, "结束日期") if last else anchor)
    raise PeriodError(f"未知的统计周期：{kind[:20]}（可选：日、周、月、自定义）")
