"""Rotating offices (`驻点 轮驻 周二, 周四`): their working days are the stationed ones.

An office that is in the center only on given weekdays works a ticket only on those days, so a
deadline in working days (`工作日`, `当日下班前`) counts the days it is in, on the county
calendar (a stationed weekday that is a holiday does not count; a make-up working day counts
only when it falls on a stationed weekday). Deadlines in minutes, hours, days or months run
on the wall clock as for any office. Pages show when the office is next in
(「下次驻点：12月8日（周二）」).
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from dsl.model import County, Office
from engine.calendar import WorkCalendar, calendar_for
from engine.clock import CST

ORDINARY_WORKDAYS = frozenset(range(1, 6))  # Monday to Friday, the calendar's ordinary week
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# How far ahead pages look for the next stationed day (a rotating office with all its days
# declared as holidays for weeks still shows one; beyond this, none).
LOOK_AHEAD_DAYS = 366


class StationedCalendar(WorkCalendar):
    """A county calendar seen by an office stationed on some weekdays only."""

    def __init__(self, base: WorkCalendar, weekdays: frozenset[int]) -> None:
        # The base's hours and model, whatever else it keeps; only the day rule differs.
        self.__dict__.update(base.__dict__)
        self.base = base
        self.weekdays = weekdays

    def is_workday(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and self.base.is_workday(day)


def on_call(county: County, office: str | None) -> Office | None:
    """The office when it is on call (随叫随驻): not in the center until called in."""
    node = county.offices.get(office) if office else None
    return node if node is not None and node.stationing.mode == "on_call" else None


ON_CALL_TEXT = "随叫随驻：不在中心值守，有案件时通知到场"


def contact_text(node: Office) -> str:
    """「（联系：…）」 when the definition says how to call the office in (`联系 "…"`)."""
    return f"（联系：{node.contact}）" if node.contact else ""


def on_call_text(node: Office) -> str:
    return ON_CALL_TEXT + (f"，联系：{node.contact}" if node.contact else "")


def called_in_note(node: Office, ticket: str) -> str:
    """The timeline's 通知到场 line for a ticket opened for an on-call office."""
    return f"「{node.name}」随叫随驻，已通知到场办理「{ticket}」{contact_text(node)}"


def rotating(county: County, office: str | None) -> Office | None:
    """The office when it is a rotating one with its weekdays, else None."""
    node = county.offices.get(office) if office else None
    if node is None or node.stationing.mode != "rotating" or not node.stationing.weekdays:
        return None
    return node


_CACHE: dict[tuple[int, frozenset[int]], StationedCalendar] = {}
_LOCK = threading.Lock()


def office_calendar(county: County, key: str, office: str | None) -> WorkCalendar:
    """The calendar a deadline of work at `office` counts on: the county's calendar `key`,
    restricted to the office's stationed weekdays when it rotates.

    A rotation on weekend days only (`轮驻 周日`) has no ordinary working day to count: `yidi
    check` refuses it, but a county published before that check still has one, so its deadlines
    count on the county calendar as for a resident office rather than failing every case."""
    base = calendar_for(county, key)
    node = rotating(county, office)
    if node is None or not has_ordinary_workday(node):
        return base
    return _stationed_calendar(base, node)


def has_ordinary_workday(node: Office) -> bool:
    """Whether a rotating office is in on some Monday to Friday (WEEKDAYS are ISO 1..7)."""
    return any(day in ORDINARY_WORKDAYS for day in node.stationing.weekdays)


def _stationed_calendar(base: WorkCalendar, node: Office) -> StationedCalendar:
    days = frozenset(node.stationing.weekdays)
    # Keyed by the base calendar object, which calendar_for keeps per county version.
    with _LOCK:
        found = _CACHE.get((id(base), days))
        if found is None or found.base is not base:
            found = _CACHE[(id(base), days)] = StationedCalendar(base, days)
        return found


def next_stationed_day(county: County, office: str | None, now: datetime) -> date | None:
    """The next day the rotating office is in: today while today's working hours last."""
    node = rotating(county, office)
    if node is None:
        return None
    # Its own days even where deadlines fall back to the county calendar (weekend-only).
    work = _stationed_calendar(calendar_for(county, ""), node)
    local = now.astimezone(CST)
    day = local.date()
    if not (work.is_workday(day) and local.time() < work.day_end):
        day += timedelta(days=1)
    for _ in range(LOOK_AHEAD_DAYS):
        if work.is_workday(day):
            return day
        day += timedelta(days=1)
    return None


def next_stationed_text(county: County, office: str | None, now: datetime) -> str:
    """「下次驻点：12月8日（周二）」 (「今日驻点」 today); for an on-call office that it must be
    called in; "" for a resident office."""
    called = on_call(county, office)
    if called is not None:
        return on_call_text(called)
    if rotating(county, office) is None:
        return ""
    day = next_stationed_day(county, office, now)
    if day is None:
        return "近一年内没有驻点日"
    when = f"{day.month}月{day.day}日（{WEEKDAY_NAMES[day.isoweekday() - 1]}）"
    today = now.astimezone(CST).date()
    return f"今日驻点：{when}" if day == today else f"下次驻点：{when}"
