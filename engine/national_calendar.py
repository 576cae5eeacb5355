"""Where national holidays come from: the holiday table first, else chinesecalendar.

One table (migration 0014_calendar_holidays) serves every county: a system administrator
imports each year's State Council schedule once (admin/holiday_import.py). A year the table
has is decided by it alone (its 放假 days are off, its 上班 days are worked, other days by the
weekday); a year it lacks falls back to chinesecalendar, the pinned library, which carries a
year only once a release does (1.11 stops at 2026; the `holidays` package 0.109 has no 2027
make-up days either, only its rule-based guesses, so it is not used). A year neither has is
*uncovered*: only weekends are off, and deadlines computed into it are marked.

Freshness: every engine transaction that may compute a deadline calls `refresh(conn)`, which
reads the newest version row's (id, token) — one indexed row — and reloads the table only when
that changed. So an import in one process is seen by every web worker and `yidi worker` at
their next transaction, without a restart; the snapshot kept in memory is never trusted
without that check. The snapshot a transaction saw is kept per context (thread or task), so a
slower reader elsewhere cannot hand it an older one; snapshots are immutable and replace each
other whole, so nobody sees half of an import.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast

import chinese_calendar
from sqlalchemy import Connection, Integer, String, Table, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from engine import driver
from engine.db import Base, UTCDateTime, utcnow
from engine.registry import JSONType

HOLIDAY = "放假"
WORKDAY = "上班"  # a make-up working day (调休上班)
LIBRARY = "chinesecalendar"
TABLE = "全国节假日表"


class NationalHolidayVersion(Base):
    """One imported version of one year's national schedule (highest number is current)."""

    __tablename__ = "national_holiday_version"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # {"2027-02-06": ["放假", "春节"], "2027-02-20": ["上班", "春节"]}
    days: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(200))  # the imported file's name
    notice: Mapped[str] = mapped_column(String(500), default="")  # e.g. 国办发明电〔2026〕号
    token: Mapped[str] = mapped_column(String(32))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


VERSIONS = cast(Table, NationalHolidayVersion.__table__)
NEWEST = select(VERSIONS.c.id, VERSIONS.c.token).order_by(VERSIONS.c.id.desc()).limit(1)


@dataclass(frozen=True)
class NationalDay:
    """A day the national schedule names: a holiday or a make-up working day."""

    working: bool
    name: str  # 春节, 国庆 ... ("" when the source gives none)


@dataclass(frozen=True)
class Snapshot:
    """The table's current versions, as one immutable value."""

    stamp: tuple[int, str] | None = None  # the newest row's (id, token); None: empty table
    days: Mapping[date, NationalDay] = field(default_factory=dict)
    versions: Mapping[int, int] = field(default_factory=dict)  # year -> current number

    def source(self, year: int) -> str | None:
        """Who decides `year`: the table, the library, or nobody (None: uncovered)."""
        if year in self.versions:
            return TABLE
        return LIBRARY if library_covers(year) else None

    def covers(self, year: int) -> bool:
        return self.source(year) is not None

    def uncovered(self, years: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted({y for y in years if not self.covers(y)}))

    def detail(self, day: date) -> NationalDay | None:
        """The national schedule's word on `day` (None: an ordinary day, or not known)."""
        found = self.days.get(day)
        if found is not None:
            # The table's days win everywhere: a schedule may name days of the year before
            # (the 2019 notice made Saturday 2018-12-29 a working day).
            return found
        if day.year in self.versions or not library_covers(day.year):
            return None
        return _library_detail(day)

    def is_workday(self, day: date) -> bool:
        """Working day by the national schedule (uncovered years: Monday to Friday)."""
        found = self.detail(day)
        if found is not None:
            return found.working
        return day.isoweekday() <= 5


EMPTY = Snapshot()
# What this context's transaction saw at its `refresh` (a thread, an asyncio task): a deadline
# is computed on its own transaction's view, whatever other threads read meanwhile.
_active: ContextVar[Snapshot | None] = ContextVar("national_holidays", default=None)
# The last snapshot loaded in this process: only spares a reload when the stamp is unchanged.
_latest: Snapshot = EMPTY


# A write transaction that may compute a deadline: its connection, until the first deadline
# asks (`current`). Most transactions (a claim, a note) compute none and so read nothing.
_pending: ContextVar[Connection | None] = ContextVar("national_holidays_pending", default=None)


def current() -> Snapshot:
    """What this context's transaction sees (checked on first use inside `checked_in`); else
    the last snapshot loaded in this process; else the library."""
    conn = _pending.get()
    if conn is not None:
        _pending.set(None)
        return refresh(conn)
    return _active.get() or _latest


@contextmanager
def checked_in(conn: Connection) -> Iterator[None]:
    """Inside this block the first deadline computed checks the table's newest version in
    `conn`'s transaction (`refresh`), so a running server sees an import without a restart;
    a transaction that computes no deadline pays nothing."""
    pending = _pending.set(conn)
    active = _active.set(None)
    try:
        yield
    finally:
        _pending.reset(pending)
        _active.reset(active)


def refresh(conn: Connection) -> Snapshot:
    """Check the table's newest version inside the caller's transaction; reload on change."""
    global _latest
    rows = driver.tuples(conn, NEWEST, {})
    stamp = (int(rows[0][0]), str(rows[0][1])) if rows else None
    found = _latest
    if stamp != found.stamp:
        found = _latest = load(conn)
    _active.set(found)
    return found


def load(conn: Connection) -> Snapshot:
    """The table's current version of every year, read now (no cache)."""
    rows = conn.execute(select(VERSIONS).order_by(VERSIONS.c.year, VERSIONS.c.number)).all()
    newest = max(rows, key=lambda r: r.id, default=None)
    current_of: dict[int, Any] = {}
    for row in rows:  # ordered by number: the last one of a year is its current version
        current_of[row.year] = row
    days: dict[date, NationalDay] = {}
    for row in current_of.values():
        days.update(days_of(row.days))
    return Snapshot(
        stamp=None if newest is None else (int(newest.id), str(newest.token)),
        days=days,
        versions={year: int(row.number) for year, row in current_of.items()},
    )


def forget() -> None:
    """Back to the library alone (tests: the next `refresh` reads the table again)."""
    global _latest
    _latest = EMPTY
    _active.set(None)


def days_of(stored: Mapping[str, Any]) -> dict[date, NationalDay]:
    return {
        date.fromisoformat(key): NationalDay(str(value[0]) == WORKDAY, str(value[1]))
        for key, value in stored.items()
    }


def new_token() -> str:
    return secrets.token_hex(16)


def next_number(conn: Connection, year: int) -> int:
    found = conn.execute(select(func.max(VERSIONS.c.number)).where(VERSIONS.c.year == year))
    return int(found.scalar() or 0) + 1


# --- the library -------------------------------------------------------------------------


@cache
def library_covers(year: int) -> bool:
    """Whether chinesecalendar knows the holidays of `year` (it raises for unknown years)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "National Day": "国庆",
    "Mid-autumn Festival": "中秋",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _library_detail(day: date) -> NationalDay | None:
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    label = LIBRARY_NAMES.get(str(name or ""), str(name or ""))
    weekend = day.isoweekday() > 5
    if on_holiday and name:
        return NationalDay(False, label)
    if not on_holiday and weekend:
        return NationalDay(True, label)  # a weekend the library works: a make-up day
    return None


def library_year(year: int) -> dict[date, NationalDay]:
    """Every day chinesecalendar names in `year` ({} when it does not carry the year)."""
    if not library_covers(year):
        return {}
    found: dict[date, NationalDay] = {}
    day = date(year, 1, 1)
    while day.year == year:
        detail = _library_detail(day)
        if detail is not None:
            found[day] = detail
        day += timedelta(days=1)
    return found


def coverage_warning(snapshot: Snapshot, today: date) -> str | None:
    """From November on, next year must be covered; this year always. None when all is well."""
    years = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    missing = snapshot.uncovered(years)
    if not missing:
        return None
    named = "、".join(f"{y} 年" for y in missing)
    return (
        f"{named}的全国节假日安排（放假与调休上班）尚未导入，chinesecalendar 也不含该年："
        "按工作日计算、跨入该年的期限只跳过周末，会忽略春节等假期。国务院办公厅发布通知后，"
        "请系统管理员用 yidi calendar import 导入（见 README「新一年的节假日」）。"
    )
