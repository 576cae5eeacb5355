"""When rotating offices (轮驻) are next in, and that on-call ones (随叫随驻) must be called in,
for the inbox, the dispatch page and the intake's routing hint:
「劳动人事争议仲裁委（轮驻 周二、周四）下次驻点：12月8日（周二）」.

The days come from the county's current definition and calendar (engine.stationing); the
time is the engine's clock, so pages and deadlines agree on what "today" is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from engine.stationing import (
    WEEKDAY_NAMES,
    contact_text,
    next_stationed_text,
    on_call,
    on_call_text,
    rotating,
)


def notes(model: Any, offices: Iterable[str | None], now: datetime) -> list[str]:
    """One line per rotating or on-call office among `offices` (in order, each once)."""
    found: list[str] = []
    for office in dict.fromkeys(offices):
        called = on_call(model, office) if model is not None else None
        if called is not None:
            found.append(f"{called.name}（{on_call_text(called)}）")
            continue
        node = rotating(model, office) if model is not None else None
        if node is None:
            continue
        days = "、".join(WEEKDAY_NAMES[d - 1] for d in node.stationing.weekdays)
        line = f"{node.name}（轮驻 {days}）{next_stationed_text(model, office, now)}"
        line += contact_text(node)
        if line not in found:
            found.append(line)
    return found


def now_of(request: Any) -> datetime:
    from admin.workflow import workflow

    clock = workflow(request).clock
    moment: datetime = clock.now()
    return moment
