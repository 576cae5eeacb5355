"""Working-day arithmetic on a county's calendar: deadlines, stage points and suspensions.

Chinese public holidays and their make-up working days (调休) come from the national source
(engine/national_calendar.py: the holiday table a system administrator imports, else
chinesecalendar); a county adds its own days off and make-up days on top. Local time is China
Standard Time (no DST), so "the same local time N days later" is plain arithmetic once we are
in CST.
"""

from __future__ import annotations

import calendar as stdcal
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta

from dsl.model import Calendar, County, Duration
from engine import national_calendar
from engine.clock import CST
from engine.errors import NoWorkingDay

WORKING_UNITS = frozenset({"workday", "end_of_workday"})
# A guard against walking forever through a calendar that never works again (a county that
# declared years of holidays by mistake): no real deadline or stage is this far away.
MAX_DAYS_WALKED = 366 * 20


chinesecalendar_covers = national_calendar.library_covers  # the library alone, by year


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"时间必须带时区（收到无时区时间 {moment.isoformat()}）")
    return moment


class WorkCalendar:
    """One calendar of a county definition, with its working hours and local overrides."""

    def __init__(self, model: Calendar) -> None:
        self.model = model
        self.day_start = time(*model.workday_start)
        self.day_end = time(*model.workday_end)
        # Days already decided (deadlines walk the same few weeks again and again); at most
        # one entry per calendar day looked at, so it stays small. Kept per national snapshot:
        # an import starts a fresh memo, never a stale answer.
        self._memo: tuple[national_calendar.Snapshot, dict[date, bool]] = (
            national_calendar.EMPTY,
            {},
        )
        if self.day_end <= self.day_start:
            raise ValueError(
                f"日历“{model.name}”的下班时间 {self.day_end:%H:%M} 必须晚于上班时间 "
                f"{self.day_start:%H:%M}"
            )

    # --- days -------------------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """True when national holidays are known for `year`; otherwise only weekends are off."""
        return national_calendar.current().covers(year)

    def uncovered_years(self, start: datetime, end: datetime, unit: str) -> tuple[int, ...]:
        """Years a working-unit span from `start` to `end` crosses that no source covers
        (its holidays were ignored); () for calendar units, which ignore holidays anyway."""
        if unit not in WORKING_UNITS:
            return ()
        first, last = _aware(start).astimezone(CST).year, _aware(end).astimezone(CST).year
        return national_calendar.current().uncovered(range(first, last + 1))

    def is_workday(self, day: date) -> bool:
        national = national_calendar.current()
        seen, memo = self._memo
        if seen is not national:
            memo = {}
            self._memo = (national, memo)
        found = memo.get(day)
        if found is None:
            found = memo[day] = self._decide(national, day)
        return found

    def _decide(self, national: national_calendar.Snapshot, day: date) -> bool:
        if day in self.model.extra_holidays:
            return False
        if day in self.model.extra_workdays:
            return True
        return national.is_workday(day)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`; NoWorkingDay (a refusal in Chinese,
        not a crash) when there is none within MAX_DAYS_WALKED or before the calendar ends."""
        start = day
        for _ in range(MAX_DAYS_WALKED):
            if day >= date.max:
                break
            day += timedelta(days=1)
            if self.is_workday(day):
                return day
        raise NoWorkingDay(
            f"日历“{self.model.name}”在 {start:%Y年%m月%d日}之后的二十年里没有工作日，"
            "无法计算以工作日计的期限：请管理员检查该日历的放假日期"
        )

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.day_start, CST),
            datetime.combine(day, self.day_end, CST),
        )

    # --- durations --------------------------------------------------------------------------

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The moment `duration` after `start` (see the module docs in docs/engine.md)."""
        local = _aware(start).astimezone(CST)
        amount, unit = duration.amount, duration.unit
        if amount < 0:
            raise ValueError(f"时长不能为负数（收到 {amount}）")
        try:
            return self._add(local, amount, unit).astimezone(UTC)
        except OverflowError:  # past the year 9999: no deadline a case could meet
            raise NoWorkingDay(
                f"从 {local:%Y年%m月%d日}起算的期限超出了日历的范围（公元 9999 年），无法计算"
            ) from None

    def _add(self, local: datetime, amount: int, unit: str) -> datetime:
        if unit == "minute":
            result = local + timedelta(minutes=amount)
        elif unit == "hour":
            result = local + timedelta(hours=amount)
        elif unit == "day":
            result = local + timedelta(days=amount)
        elif unit == "month":
            result = _add_months(local, amount)
        elif unit == "workday":
            result = self._add_workdays(local, amount)
        elif unit == "end_of_workday":
            result = self._end_of_workday(local, amount)
        else:
            raise ValueError(f"未知的时长单位“{unit}”")
        return result

    def _add_workdays(self, local: datetime, amount: int) -> datetime:
        day = local.date()
        if not self.is_workday(day):
            # Received on a day off: the clock starts when the next working day does.
            day = self.next_workday(day)
            local = datetime.combine(day, self.day_start, CST)
        for _ in range(amount):
            day = self.next_workday(day)
        return datetime.combine(day, local.timetz())

    def _end_of_workday(self, local: datetime, extra_days: int) -> datetime:
        day = local.date()
        if not (self.is_workday(day) and local.time() < self.day_end):
            day = self.next_workday(day)
        for _ in range(extra_days):
            day = self.next_workday(day)
        return self._window(day)[1]

    # --- working time -----------------------------------------------------------------------

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Time inside working hours of working days between two moments."""
        local, stop = _aware(start).astimezone(CST), _aware(end).astimezone(CST)
        total = timedelta(0)
        day = local.date()
        while day <= stop.date():
            if self.is_workday(day):
                opens, closes = self._window(day)
                begin, finish = max(local, opens), min(stop, closes)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total

    def advance_working(self, start: datetime, amount: timedelta) -> datetime:
        """The moment after `amount` of working time has passed since `start`."""
        local = _aware(start).astimezone(CST)
        if amount <= timedelta(0):
            return local.astimezone(UTC)
        remaining, day = amount, local.date()
        for _ in range(MAX_DAYS_WALKED):
            if self.is_workday(day):
                opens, closes = self._window(day)
                begin = max(local, opens)
                if begin < closes:
                    if remaining <= closes - begin:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= closes - begin
            if day >= date.max:
                break
            day += timedelta(days=1)
        raise NoWorkingDay(
            f"日历“{self.model.name}”在 {local:%Y年%m月%d日}之后的二十年里凑不够"
            f" {amount.total_seconds() / 3600:g} 小时的工作时间，无法计算期限："
            "请管理员检查该日历的放假日期"
        )

    def point_at(self, start: datetime, due: datetime, fraction: float, unit: str) -> datetime:
        """When `fraction` of the allowed time has passed: working time for working-day units.

        Fractions above 1 are allowed (150% of the time); for working units they keep counting
        working time past the due moment.
        """
        if not fraction >= 0 or fraction == float("inf"):
            raise ValueError(f"时限比例必须是不小于 0 的有限数（收到 {fraction}）")
        start, due = _aware(start), _aware(due)
        if unit in WORKING_UNITS:
            allowed = self.working_time(start, due)
            # A deadline entirely outside working hours has no working time to share out:
            # fall back to wall-clock time rather than put every stage at the start.
            if allowed > timedelta(0):
                # Past 100% count on from the due moment itself, so 1.0 is exactly the due
                # time and not the end of the last working day before it.
                if fraction >= 1:
                    return self.advance_working(due, allowed * (fraction - 1))
                return self.advance_working(start, allowed * fraction)
        return (start + (due - start) * fraction).astimezone(UTC)

    def paused_time(self, suspended_at: datetime, resumed_at: datetime, unit: str) -> timedelta:
        """How much of the allowed time a suspension took (working time for working units)."""
        if unit in WORKING_UNITS:
            return self.working_time(suspended_at, resumed_at)
        return max(_aware(resumed_at) - _aware(suspended_at), timedelta(0))

    def shift(self, due: datetime, paused: timedelta, unit: str = "day") -> datetime:
        """The due time after a suspension: `paused` (from `paused_time`) is given back.

        For working units the pause is working time and is added as working time, so a case
        suspended over a weekend loses nothing it would not have had anyway.
        """
        if paused < timedelta(0):
            raise ValueError(f"暂停时长不能为负数（收到 {paused}）")
        if unit in WORKING_UNITS:
            return self.advance_working(due, paused)
        return (_aware(due) + paused).astimezone(UTC)


def _add_months(local: datetime, months: int) -> datetime:
    """Same day of the month `months` later, clamped to the month's last day (Jan 31 -> Feb 28)."""
    year, month_index = divmod(local.month - 1 + months, 12)
    year += local.year
    last = stdcal.monthrange(year, month_index + 1)[1]
    return local.replace(year=year, month=month_index + 1, day=min(local.day, last))


# Compiled definitions are immutable and content-addressed, so a calendar built for one version
# is valid for as long as the process lives; the model is kept to guard against two different
# definitions that share a (missing) hash.
# Bounded like admin/inbox_choices: a long-lived server sees many published versions; the
# least recently used calendars beyond CALENDARS_KEPT are built again if asked for.
CALENDARS_KEPT = 256
_CACHE: OrderedDict[tuple[str, str, str], WorkCalendar] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def calendar_for(county: County, key: str = "") -> WorkCalendar:
    """The working calendar `key` of a county ("" = its default calendar), cached."""
    name = key or county.default_calendar
    model = county.calendars.get(name)
    if model is None:
        raise ValueError(f"{county.name}没有定义日历“{name}”")
    cache_key = (county.key, county.content_hash, name)
    with _CACHE_LOCK:
        cached = _CACHE.get(cache_key)
        if cached is None or cached.model != model:
            cached = _CACHE[cache_key] = WorkCalendar(model)
        _CACHE.move_to_end(cache_key)
        while len(_CACHE) > CALENDARS_KEPT:
            _CACHE.popitem(last=False)
        return cached
