"""Periods on the county's local calendar: the day, week or month a periodic duty works on.

Counties keep China Standard Time (UTC+8, no daylight saving), so a period is a plain span
between local midnights: a day from 0:00, a week from Monday 0:00, a month from the 1st 0:00.
Each period has a key that names it in the job-run table ("2026-11-05", "2026-W47",
"2026-11"): the same period always has the same key, whichever worker computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from engine.clock import CST

PeriodKind = Literal["day", "week", "half_month", "month"]
# (half_month: the 1st-15th and the 16th-end of a month, for 镇每半月排查, engine/screening.py)
KIND_NAMES: dict[str, str] = {"day": "日", "week": "周", "half_month": "半月", "month": "月"}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CST).astimezone(UTC)


def _first_day(kind: PeriodKind, day: date) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "half_month":
        return day.replace(day=1 if day.day <= 15 else 16)
    return day


def _following(kind: PeriodKind, first: date) -> date:
    if kind == "week":
        return first + timedelta(days=7)
    if kind == "month":
        return date(first.year + first.month // 12, first.month % 12 + 1, 1)
    if kind == "half_month":
        if first.day == 1:
            return first.replace(day=16)
        return date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first + timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date  # its first local day

    @property
    def start(self) -> datetime:
        """Its first moment, in UTC."""
        return _local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after it (exclusive), in UTC."""
        return _local_midnight(_following(self.kind, self.first))

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "half_month":
            return f"{self.first:%Y-%m}-H{1 if self.first.day == 1 else 2}"
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return self.first.isoformat()

    @property
    def label(self) -> str:
        """How a county reads it: 「2026年11月」, 「2026年第47周」, 「2026年11月5日」."""
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == "half_month":
            half = "上半月" if self.first.day == 1 else "下半月"
            return f"{self.first.year}年{self.first.month}月{half}"
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}年第{week}周"
        return f"{self.first.year}年{self.first.month}月{self.first.day}日"

    def next(self) -> Period:
        return Period(self.kind, _following(self.kind, self.first))

    def previous(self) -> Period:
        return containing(self.kind, self.start - timedelta(seconds=1))


def containing(kind: PeriodKind, moment: datetime) -> Period:
    """The period of `kind` that `moment` (timezone-aware) falls in, on local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"时间必须带时区（收到无时区时间 {moment.isoformat()}）")
    return Period(kind, _first_day(kind, moment.astimezone(CST).date()))
