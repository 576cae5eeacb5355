# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Travelling in time: the clock moves forward and every timer falling due on the way fires
at its own due time, in order (a timer fired on the way may schedule others that fall due
before the destination; they fire too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine import timers
from engine.calendar import calendar_for
from engine.timers import timer as TIMER
from features.steps.phrases import phrase
from features.steps.timeparse import parse_duration
from features.steps.world import World, parse_local


def travel(world: World, target: datetime) -> None:
    clock = world.need_clock()
    engine = world.need_engine()
    if target < clock.now():
        raise world.fail(
            f"时间只能向前：现在是 {world.local(clock.now())}，不能回到 {world.local(target)}",
            f"time only moves forward: it is {world.local(clock.now())}, cannot go back to {world.local(target)}",
        )
    while True:
        with world.db.connect() as conn:
            due = conn.execute(
                select(TIMER.c.due_at)
                .where(TIMER.c.fired_at.is_(None), TIMER.c.due_at <= target)
                .order_by(TIMER.c.due_at)
                .limit(1)
            ).scalar()
        if due is None:
            break
        clock.set(max(due, clock.now()))
        if timers.fire_due(world.db, clock, engine.fire_timer) == 0:
            _raise_failed(world)
    clock.set(target)
    _raise_failed(world)


def _raise_failed(world: World) -> None:
    with world.db.connect() as conn:
        failed = conn.execute(
            select(TIMER.c.kind, TIMER.c.last_error).where(
                TIMER.c.fired_at.is_(None), TIMER.c.last_error.is_not(None)
            )
        ).first()
    if failed is not None:
        raise world.fail(
            f"定时器「{failed.kind}」触发失败：{failed.last_error}",
            f"timer {failed.kind!r} failed: {failed.last_error}",
        )


@phrase(
    "时间",
    "过了 {数量} <单位>",
    "{amount} <unit> pass",
    doc="时钟向前拨，途中到期的定时器（提醒、变色、督办、提级）依次触发。单位：分钟、小时、天、个工作日、个月（工作日按县区日历，含法定节假日与调休）。",
    example_zh="当 过了 3 个工作日",
    example_en="When 3 working days pass",
)
def time_passes(world: World, amount: str, unit: str) -> None:
    duration = parse_duration(world, f"{amount} {unit}")
    start = world.need_clock().now()
    travel(world, calendar_for(world.need_county()).add(start, duration))


@phrase(
    "时间",
    '时间来到 "{时间}"',
    'time moves on to "{moment}"',
    doc="时钟拨到某个当地时间，途中到期的定时器依次触发。",
    example_zh='当 时间来到 "2026-10-09 17:31"',
    example_en='When time moves on to "2026-10-09 17:31"',
)
def time_moves_to(world: World, moment: str) -> None:
    travel(world, parse_local(world, moment))
