"""Prevention (排查预警) in the compiled county: screening rounds and correlated-warning rules.

Kept apart from `dsl.model` (which re-exports them) so the prevention block stays one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Cadence = Literal["day", "week", "half_month", "month"]
# The words a definition may write for a cadence -> the cadence (periods on local time).
CADENCES: dict[str, Cadence] = {
    "每日": "day", "每天": "day", "daily": "day",
    "每周": "week", "weekly": "week",
    "每半月": "half_month", "半月": "half_month", "half_monthly": "half_month",
    "每月": "month", "monthly": "month",
}  # fmt: skip
CADENCE_NAMES: dict[Cadence, str] = {
    "day": "每日",
    "week": "每周",
    "half_month": "每半月",
    "month": "每月",
}

Dimension = Literal["party", "place", "category"]
# `同一 当事人, 地点, 事项`: what a cluster has in common.
DIMENSIONS: dict[str, Dimension] = {
    "当事人": "party", "party": "party",
    "地点": "place", "place": "place",
    "事项": "category", "事项类型": "category", "subject": "category", "category": "category",
}  # fmt: skip
DIMENSION_NAMES: dict[Dimension, str] = {"party": "当事人", "place": "地点", "category": "事项"}


@dataclass(frozen=True)
class Screening:
    """A screening round (排查): each `cadence` period, one task per center of `level` for the
    `role` of `office` there, recorded on `form`. Daily rounds open on working days only."""

    key: str
    name: str
    role: str  # Role.key
    level: str  # Level.key: one task per center of this level
    office: str  # Office.key stationed there with that role
    cadence: Cadence
    form: str  # FormRef name: the checklist
    calendar: str = ""  # Calendar.key; "" = the county's default calendar
    line: int = 0


@dataclass(frozen=True)
class WarningRule:
    """A correlated-warning rule (预警): cases sharing `same` seen `times` times within `days`
    days, or from `sources` different channels, raise one warning at `grade`, with a warning
    work order to `role` at the center of `level` above the place."""

    key: str
    name: str
    same: tuple[Dimension, ...]
    days: int
    grade: str  # one of County.colours
    role: str  # Role.key
    level: str  # Level.key
    times: int | None = None
    sources: int | None = None
    line: int = 0
    # 预警函 K 给 O: raising the warning issues a letter of kind `letter` to office
    # `letter_office` (engine/warning_letters.py); "" = no letter
    letter: str = ""
    letter_office: str = ""


# --- key persons (重点人员, dsl/key_persons.py; i21persons) ---


@dataclass(frozen=True)
class KeyPersonRules:
    """The county's key-person register (重点人员): its categories, how often each person is
    visited (a visit older than one `cadence` period is overdue), and who sees full personal
    data (ID number, phone, address) besides the office responsible for the person."""

    categories: tuple[str, ...]
    cadence: Cadence
    full_view: tuple[tuple[str, str], ...]  # (Role.key, Level.key)
    line: int = 0
