# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Checking which ticket (单) is open: a county names its tickets (票据 转送交办单, 风险预警函 …)."""

from __future__ import annotations

from features.steps.phrases import phrase
from features.steps.world import World, work_tickets


@phrase(
    "检查",
    '当前单为 "{票据}"',
    'the open ticket is "{ticket}"',
    doc="当前案件待办的单（不含督办单）的名称，即步骤的 票据（没写票据时为步骤名）。",
    example_zh='那么 当前单为 "转送交办单"',
    example_en='Then the open ticket is "转送交办单"',
)
def open_ticket_is(world: World, ticket: str) -> None:
    names = [t.name for t in work_tickets(world.case())]
    if ticket not in names:
        shown = "、".join(names) or world.say("无", "none")
        raise world.fail(
            f"期望当前单为「{ticket}」，实际为 {shown}",
            f"expected the open ticket {ticket!r}, found {shown}",
        )
