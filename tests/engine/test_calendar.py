"""Working-day arithmetic on the county calendar (engine/calendar.py).

Holiday facts are those of chinesecalendar 1.11 for 2026, checked against the State Council's
notice: Spring Festival Feb 15-23 off with Sat Feb 14 and Sat Feb 28 worked; Mid-autumn
Sep 25-27 off; National Day Oct 1-7 off with Sun Sep 20 and Sat Oct 10 worked.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.model import Calendar, County, Duration
from engine.calendar import WorkCalendar, calendar_for
from engine.clock import CST

PLAIN = Calendar("标准", "标准工作日")


def cst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(PLAIN)


# --- which days are working days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 20), True),  # Sunday, make-up working day for National Day
        (date(2026, 9, 25), False),  # Mid-autumn (Friday)
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),  # Thursday, back to work
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 11), False),  # Sunday
        (date(2026, 2, 14), True),  # Saturday before Spring Festival, worked
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday after Spring Festival, worked
    ],
)
def test_national_holidays_and_make_up_days(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_workday(day) is working


def test_county_overrides_win_over_the_national_calendar() -> None:
    county = WorkCalendar(
        Calendar(
            "本县",
            "本县日历",
            extra_holidays=frozenset({date(2026, 10, 8)}),  # e.g. a local festival
            extra_workdays=frozenset({date(2026, 10, 11)}),  # a Sunday the county works
        )
    )
    assert not county.is_workday(date(2026, 10, 8))
    assert county.is_workday(date(2026, 10, 11))
    start = cst(2026, 9, 30, 10, 0)
    assert county.add(start, Duration(1, "workday")) == cst(2026, 10, 9, 10, 0)
    assert county.add(start, Duration(3, "workday")) == cst(2026, 10, 11, 10, 0)


def test_years_chinesecalendar_lacks_fall_back_to_weekends(cal: WorkCalendar) -> None:
    assert cal.covers(2026)
    assert not cal.covers(2099)
    assert cal.is_workday(date(2099, 1, 1))  # a Thursday: New Year unknown, so worked
    assert not cal.is_workday(date(2099, 1, 3))  # Saturday
    override = WorkCalendar(
        dataclasses.replace(PLAIN, extra_holidays=frozenset({date(2099, 1, 1)}))
    )
    assert not override.is_workday(date(2099, 1, 1))


# --- adding durations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # across National Day: Sep 30 -> Oct 8 (Thu) -> Oct 9 -> Oct 10 (make-up Saturday)
        (cst(2026, 9, 30, 10, 0), Duration(1, "workday"), cst(2026, 10, 8, 10, 0)),
        (cst(2026, 9, 30, 10, 0), Duration(3, "workday"), cst(2026, 10, 10, 10, 0)),
        (cst(2026, 9, 30, 10, 0), Duration(4, "workday"), cst(2026, 10, 12, 10, 0)),
        # received on a holiday: counting starts at the next working day's start
        (cst(2026, 10, 3, 11, 0), Duration(2, "workday"), cst(2026, 10, 10, 8, 30)),
        # received on the Saturday before the make-up Sunday Sep 20
        (cst(2026, 9, 19, 15, 0), Duration(1, "workday"), cst(2026, 9, 21, 8, 30)),
        # Spring Festival: the worked Saturday Feb 14, then nothing until Feb 24
        (cst(2026, 2, 13, 9, 0), Duration(1, "workday"), cst(2026, 2, 14, 9, 0)),
        (cst(2026, 2, 14, 9, 0), Duration(1, "workday"), cst(2026, 2, 24, 9, 0)),
        (cst(2026, 2, 14, 9, 0), Duration(4, "workday"), cst(2026, 2, 27, 9, 0)),
        (cst(2026, 2, 14, 9, 0), Duration(5, "workday"), cst(2026, 2, 28, 9, 0)),
        # calendar units ignore holidays
        (cst(2026, 9, 30, 10, 0), Duration(3, "day"), cst(2026, 10, 3, 10, 0)),
        (cst(2026, 9, 30, 23, 50), Duration(30, "minute"), cst(2026, 10, 1, 0, 20)),
        (cst(2026, 9, 30, 10, 0), Duration(20, "hour"), cst(2026, 10, 1, 6, 0)),
        # months: same local day, clamped to the month's end, in local (not UTC) time
        (cst(2026, 1, 31, 1, 0), Duration(1, "month"), cst(2026, 2, 28, 1, 0)),
        (cst(2026, 3, 31, 10, 0), Duration(1, "month"), cst(2026, 4, 30, 10, 0)),
        (cst(2026, 11, 15, 10, 0), Duration(3, "month"), cst(2027, 2, 15, 10, 0)),
        (cst(2027, 12, 31, 10, 0), Duration(2, "month"), cst(2028, 2, 29, 10, 0)),
        # end of the working day
        (cst(2026, 10, 8, 10, 0), Duration(0, "end_of_workday"), cst(2026, 10, 8, 17, 30)),
        (cst(2026, 10, 8, 7, 0), Duration(0, "end_of_workday"), cst(2026, 10, 8, 17, 30)),
        (cst(2026, 10, 8, 18, 0), Duration(0, "end_of_workday"), cst(2026, 10, 9, 17, 30)),
        (cst(2026, 9, 30, 17, 30), Duration(0, "end_of_workday"), cst(2026, 10, 8, 17, 30)),
        (cst(2026, 10, 4, 12, 0), Duration(0, "end_of_workday"), cst(2026, 10, 8, 17, 30)),
        (cst(2026, 10, 9, 10, 0), Duration(1, "end_of_workday"), cst(2026, 10, 10, 17, 30)),
    ],
)
def test_add(cal: WorkCalendar, start: datetime, duration: Duration, expected: datetime) -> None:
    result = cal.add(start, duration)
    assert result == expected
    assert result.tzinfo == UTC


def test_custom_working_hours_move_end_of_day_and_start_of_counting() -> None:
    early = WorkCalendar(dataclasses.replace(PLAIN, workday_start=(9, 0), workday_end=(18, 0)))
    assert early.add(cst(2026, 10, 8, 17, 45), Duration(0, "end_of_workday")) == cst(
        2026, 10, 8, 18, 0
    )
    assert early.add(cst(2026, 10, 4, 12, 0), Duration(1, "workday")) == cst(2026, 10, 9, 9, 0)


@pytest.mark.parametrize(
    ("duration", "message"),
    [(Duration(-1, "day"), "时长不能为负数"), (Duration(1, "fortnight"), "未知的时长单位")],  # type: ignore[arg-type]
)
def test_bad_durations_are_refused_in_chinese(
    cal: WorkCalendar, duration: Duration, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cal.add(cst(2026, 10, 8, 10, 0), duration)


def test_naive_times_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="必须带时区"):
        cal.add(datetime(2026, 10, 8, 10, 0), Duration(1, "day"))


def test_working_hours_must_be_a_real_span() -> None:
    with pytest.raises(ValueError, match="必须晚于上班时间"):
        WorkCalendar(dataclasses.replace(PLAIN, workday_start=(18, 0), workday_end=(9, 0)))


# --- stage points (fractions of the allowed time) ------------------------------------------


def test_fraction_of_working_time_skips_nights_and_holidays(cal: WorkCalendar) -> None:
    start = cst(2026, 9, 28, 8, 30)  # Monday
    due = cal.add(start, Duration(3, "workday"))
    assert due == cst(2026, 10, 8, 8, 30)  # the holiday week is not working time
    # 27 working hours (Sep 28, 29, 30): 80% = 21h36m = two full days + 3h36m on Sep 30
    assert cal.point_at(start, due, 0.8, "workday") == cst(2026, 9, 30, 12, 6)
    assert cal.point_at(start, due, 0.5, "workday") == cst(2026, 9, 29, 13, 0)
    assert cal.point_at(start, due, 0.0, "workday") == start
    assert cal.point_at(start, due, 1.0, "workday") == due
    # past the due time: working time keeps counting from it (13h30 = Oct 8 and 4h30 more)
    assert cal.point_at(start, due, 1.5, "workday") == cst(2026, 10, 9, 13, 0)


def test_fraction_of_calendar_time_is_wall_clock(cal: WorkCalendar) -> None:
    start, due = cst(2026, 10, 1, 0, 0), cst(2026, 10, 11, 0, 0)
    assert cal.point_at(start, due, 0.8, "day") == cst(2026, 10, 9, 0, 0)
    assert cal.point_at(start, due, 0.5, "hour") == cst(2026, 10, 6, 0, 0)


def test_fraction_without_working_time_falls_back_to_wall_clock(cal: WorkCalendar) -> None:
    start, due = cst(2026, 10, 2, 0, 0), cst(2026, 10, 4, 0, 0)  # all holiday
    assert cal.point_at(start, due, 0.5, "workday") == cst(2026, 10, 3, 0, 0)


@pytest.mark.parametrize("fraction", [-0.1, float("nan"), float("inf")])
def test_bad_fractions_are_refused(cal: WorkCalendar, fraction: float) -> None:
    with pytest.raises(ValueError, match="时限比例"):
        cal.point_at(cst(2026, 10, 8, 9), cst(2026, 10, 9, 9), fraction, "workday")


# --- suspension ----------------------------------------------------------------------------


def test_suspension_over_a_make_up_weekend_gives_back_working_time(cal: WorkCalendar) -> None:
    suspended, resumed = cst(2026, 10, 9, 16, 30), cst(2026, 10, 12, 9, 30)
    # Friday 1h + Saturday Oct 10 (a make-up working day) 9h + Monday 1h
    paused = cal.paused_time(suspended, resumed, "workday")
    assert paused == timedelta(hours=11)
    # due Tue 10:00 + 11 working hours = 7h30 left on Tuesday, 3h30 on Wednesday
    assert cal.shift(cst(2026, 10, 13, 10, 0), paused, "workday") == cst(2026, 10, 14, 12, 0)


def test_suspension_on_calendar_time_is_wall_clock(cal: WorkCalendar) -> None:
    suspended, resumed = cst(2026, 10, 9, 16, 30), cst(2026, 10, 12, 9, 30)
    paused = cal.paused_time(suspended, resumed, "day")
    assert paused == timedelta(days=2, hours=17)
    assert cal.shift(cst(2026, 10, 13, 10, 0), paused) == cst(2026, 10, 16, 3, 0)


def test_suspension_with_no_working_time_keeps_the_due_time(cal: WorkCalendar) -> None:
    paused = cal.paused_time(cst(2026, 10, 2, 9, 0), cst(2026, 10, 5, 9, 0), "workday")
    assert paused == timedelta(0)
    assert cal.shift(cst(2026, 10, 9, 10, 0), paused, "workday") == cst(2026, 10, 9, 10, 0)


def test_negative_pause_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="暂停时长不能为负数"):
        cal.shift(cst(2026, 10, 9, 10, 0), timedelta(hours=-1))


# --- one calendar object per county version --------------------------------------------------


def _county(content_hash: str, calendars: dict[str, Calendar]) -> County:
    return County(
        key="testxian",
        name="测试县",
        levels={},
        centers={},
        roles={},
        offices={},
        studios={},
        windows={},
        categories={},
        severities={},
        channels={},
        routes=(),
        fallback=None,
        diversions={},
        calendars=calendars,
        default_calendar="标准",
        processes={},
        default_process="",
        intake_form="",
        forms={},
        content_hash=content_hash,
    )


def test_calendar_for_caches_per_county_version_and_key() -> None:
    island = Calendar("海岛", "海岛日历", extra_holidays=frozenset({date(2026, 10, 8)}))
    county = _county("v1", {"标准": PLAIN, "海岛": island})
    default = calendar_for(county)
    assert default is calendar_for(county, "标准")
    assert default.model == PLAIN
    assert not calendar_for(county, "海岛").is_workday(date(2026, 10, 8))
    # a new version with a changed calendar gets a new object, never the stale one
    changed = dataclasses.replace(PLAIN, extra_holidays=frozenset({date(2026, 10, 9)}))
    newer = calendar_for(_county("v2", {"标准": changed}))
    assert newer is not default
    assert not newer.is_workday(date(2026, 10, 9))
    stale_hash = calendar_for(_county("v1", {"标准": changed}))
    assert not stale_hash.is_workday(date(2026, 10, 9))


def test_calendar_for_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="测试县没有定义日历“节假日”"):
        calendar_for(_county("v1", {"标准": PLAIN}), "节假日")


# --- properties over the whole covered range ---------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(CST)
)


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=st.integers(min_value=0, max_value=40))
def test_n_working_days_later_lands_on_a_working_day_n_working_days_on(
    start: datetime, amount: int
) -> None:
    cal = WorkCalendar(PLAIN)
    result = cal.add(start, Duration(amount, "workday")).astimezone(CST)
    first = start.date() if cal.is_workday(start.date()) else cal.next_workday(start.date())
    assert cal.is_workday(result.date())
    between = [
        first + timedelta(days=n)
        for n in range(1, (result.date() - first).days + 1)
        if cal.is_workday(first + timedelta(days=n))
    ]
    assert len(between) == amount


@settings(max_examples=200, deadline=None)
@given(
    start=moments,
    amount=st.integers(min_value=1, max_value=20),
    fractions=st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=5),
)
def test_stage_points_are_ordered_and_inside_the_allowed_time(
    start: datetime, amount: int, fractions: list[float]
) -> None:
    cal = WorkCalendar(PLAIN)
    due = cal.add(start, Duration(amount, "workday"))
    points = [cal.point_at(start, due, f, "workday") for f in sorted(fractions)]
    assert points == sorted(points)
    assert all(start <= p <= due for p in points)
