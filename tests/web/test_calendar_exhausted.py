"""A deadline that cannot be worked out is refused in words, not a crash (engine/calendar.py):
a calendar without a working day ahead, or a date at the end of the calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dsl.model import Calendar, Duration
from engine.calendar import MAX_DAYS_WALKED, WorkCalendar
from engine.clock import CST
from engine.errors import NoWorkingDay
from tests.web.conftest import csrf_of
from tests.web.flow import INTAKE_FIELDS, as_form
from tests.web.test_web_flow import sign_in


def test_a_calendar_of_days_off_only_is_refused_in_words() -> None:
    start = date(2026, 1, 1)
    off = frozenset(start + timedelta(days=n) for n in range(MAX_DAYS_WALKED + 2))
    cal = WorkCalendar(Calendar("全休", "全休日历", extra_holidays=off))
    with pytest.raises(
        NoWorkingDay, match="日历“全休日历”在 2026年01月01日之后的二十年里没有工作日"
    ):
        cal.next_workday(start)
    with pytest.raises(NoWorkingDay, match="凑不够 1 小时的工作时间"):
        cal.advance_working(datetime(2026, 1, 1, 9, tzinfo=CST), timedelta(hours=1))


def test_a_calendar_that_ends_is_refused_in_words() -> None:
    cal = WorkCalendar(Calendar("标准", "标准日历"))
    with pytest.raises(NoWorkingDay, match="没有工作日"):
        cal.add(datetime(9999, 12, 31, 10, tzinfo=CST), Duration(1, "workday"))


def test_an_intake_whose_deadline_cannot_be_worked_out_is_answered_in_chinese(
    client, db, people, clock
) -> None:
    clock.set(datetime(9999, 12, 31, 10, tzinfo=CST))  # a Friday: the next working day is past
    sign_in(client, people["clerk"].username)
    token = csrf_of(client, "/intake")
    form = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    answer = client.post("/intake", data={**form, "csrf_token": token})
    assert answer.status_code == 422, answer.text[:500]
    assert "从 9999年12月31日起算的期限超出了日历的范围（公元 9999 年），无法计算" in answer.text


def test_calendars_are_kept_for_the_most_recent_versions_only() -> None:
    """A server lives through many published versions: calendar_for keeps CALENDARS_KEPT."""
    import dataclasses

    from engine import calendar
    from tests.engine.test_calendar import _county

    cal = Calendar("标准", "标准日历")
    base = _county("v", {"标准": cal})
    versions = [
        dataclasses.replace(base, content_hash=f"v{n}") for n in range(calendar.CALENDARS_KEPT * 2)
    ]
    built = [calendar.calendar_for(v) for v in versions]
    assert len(calendar._CACHE) == calendar.CALENDARS_KEPT
    assert calendar.calendar_for(versions[-1]) is built[-1]  # a recent one is kept
    again = calendar.calendar_for(versions[0])  # a forgotten one is built again, right
    assert again is not built[0] and again.model == cal
