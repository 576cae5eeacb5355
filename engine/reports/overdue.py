"""The overdue board (超期督办): open work that is late or about to be, by colour grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from engine.reports.cohorts import Context
from engine.reports.lists import LEDGER_SOURCE, ledger_row
from engine.tables import Case

SOON = timedelta(hours=24)
NO_GRADE = "未定级"
BOARD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "案件编号"),
    ("title", "事项"),
    ("center", "当前中心"),
    ("office", "承办单位"),
    ("due_at", "办理期限"),
    ("lateness", "超期情况"),
    ("colour", "预警等级"),
    ("supervised", "督办"),
    ("leader", "包案领导"),
    ("status", "状态"),
)


@dataclass
class Lane:
    colour: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def lateness(due: datetime, now: datetime) -> str:
    late = now - due
    if late < timedelta(0):
        hours = max(int(-late.total_seconds() // 3600), 0)
        return f"{hours} 小时后到期"
    days, seconds = late.days, late.seconds
    return f"已超期 {days} 天 {seconds // 3600} 小时" if days else f"已超期 {seconds // 3600} 小时"


def board(conn: Connection, ctx: Context, now: datetime, limit: int = 500) -> list[Lane]:
    """Lanes in the county's colour order, most urgent first, then cases without a grade."""
    if ctx.scope.empty:
        return []
    stmt = (
        select(*LEDGER_SOURCE)
        .where(
            ctx.in_scope(),
            Case.status.in_(("open", "suspended")),
            Case.due_at < now + SOON,
        )
        .order_by(Case.due_at, Case.id)
        .limit(limit)
    )
    order = [*reversed(ctx.county.colours), NO_GRADE]
    lanes = {colour: Lane(colour) for colour in order}
    for raw in conn.execute(stmt).mappings():
        row = ledger_row(ctx, raw)
        row["lateness"] = lateness(raw["due_at"], now)
        row["late"] = raw["due_at"] < now
        row["leader"] = raw["leader"] or ""
        colour = raw["colour"] or NO_GRADE
        lanes.setdefault(colour, Lane(colour)).rows.append(row)
    return [lane for lane in lanes.values() if lane.rows]
