# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Durations as people write them: 30 分钟, 2 小时, 5 天, 3 个工作日, 1 个月, 2 working days."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dsl.model import Duration, DurationUnit

if TYPE_CHECKING:
    from features.steps.world import World

UNITS: dict[str, DurationUnit] = {
    "分钟": "minute",
    "minute": "minute",
    "minutes": "minute",
    "小时": "hour",
    "hour": "hour",
    "hours": "hour",
    "天": "day",
    "日": "day",
    "day": "day",
    "days": "day",
    "工作日": "workday",
    "个工作日": "workday",
    "working day": "workday",
    "working days": "workday",
    "月": "month",
    "个月": "month",
    "month": "month",
    "months": "month",
}
SHAPE = re.compile(r"^\s*(\d+)\s*(.+?)\s*$")


def parse_duration(world: World, text: str) -> Duration:
    found = SHAPE.match(text)
    unit = UNITS.get(found[2].strip()) if found else None
    if found is None or unit is None:
        raise world.fail(
            f"时长「{text}」看不懂，请写成 30 分钟、2 小时、5 天、3 个工作日 或 1 个月",
            f"cannot read the duration {text!r}; write 30 minutes, 2 hours, 5 days, 3 working days or 1 month",
        )
    return Duration(int(found[1]), unit)
