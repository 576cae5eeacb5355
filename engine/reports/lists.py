"""Drill-down: the cases (or tickets) behind a figure, selected with the figure's own condition.

The list for a numerator or denominator uses exactly the condition `figures` sums, so its
length is always the number that was clicked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, func, select

from engine.reports import kinds, planner
from engine.reports.cohorts import Context
from engine.reports.figures import BY_KEY, DIMENSIONS, UNSET, Metric
from engine.reports.periods import CST
from engine.reports.scope import subtree
from engine.tables import Case, Ticket

Part = Literal["num", "den"]
STATUS = {"open": "办理中", "suspended": "已中止", "closed": "已办结"}

# ledger columns: (key, Chinese header); party names, phones and ID numbers are never listed
CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "案件编号"),
    ("title", "事项"),
    ("received_at", "受理时间"),
    ("channel", "渠道"),
    ("category", "事项类型"),
    ("severity", "等级"),
    ("location", "发生地"),
    ("level", "层级"),
    ("center", "当前中心"),
    ("office", "承办单位"),
    ("mediator", "调解员"),
    ("studio", "工作室"),
    ("status", "状态"),
    ("due_at", "办理期限"),
    ("closed_at", "办结时间"),
    ("closed_on_time", "按时办结"),
    ("outcome", "办理结果"),
    ("resolved", "已化解"),
    ("satisfaction", "满意度"),
    ("visits", "来访次数"),
    ("colour", "预警等级"),
    ("supervised", "督办"),
)
TICKET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ticket", "单据"),
    ("ticket_state", "单据结果"),
    ("ticket_finished", "处理时间"),
    *CASE_COLUMNS,
)


CASE_TABLE = Case.__table__
# what ledger_row and the overdue board read: not the form data or other wide columns
LEDGER_SOURCE = tuple(
    CASE_TABLE.c[name] for name in ("id", "leader", *(key for key, _ in CASE_COLUMNS))
)


class ListError(ValueError):
    """A drill-down request that names no known figure or dimension; message for the user."""


@dataclass(frozen=True)
class Selection:
    """Which list: a figure's numerator or denominator, optionally one dimension value."""

    metric: str
    part: Part = "den"
    dimension: str = ""
    value: str = ""

    def resolve(self) -> Metric:
        if self.metric not in BY_KEY:
            raise ListError(f"未知的指标：{self.metric[:30]}")
        metric = BY_KEY[self.metric]
        if self.part == "num" and metric.numerator is None:
            raise ListError(f"{metric.label}是计数指标，没有分子")
        if self.dimension and self.dimension not in (*DIMENSIONS, "subtree", kinds.OFFICE_KIND):
            raise ListError(f"未知的统计维度：{self.dimension[:30]}")
        return metric


def _value_condition(ctx: Context, sel: Selection) -> ColumnElement[bool] | None:
    if not sel.dimension:
        return None
    if sel.dimension == "subtree":
        if sel.value not in ctx.county.centers:
            raise ListError(f"未知的中心：{sel.value[:30]}")
        return Case.center.in_(sorted(subtree(ctx.county, sel.value)))
    if sel.dimension == kinds.OFFICE_KIND:
        return kinds.condition(ctx.county, sel.value)
    column = DIMENSIONS[sel.dimension][1]
    return column.is_(None) if sel.value == UNSET else column == sel.value


def _statement(ctx: Context, sel: Selection) -> Select[*tuple[Any, ...]]:
    metric = sel.resolve()
    condition = metric.numerator if sel.part == "num" else metric.denominator
    assert condition is not None  # resolve() refused a numerator of a count
    where = [ctx.in_scope(), condition(ctx)]
    extra = _value_condition(ctx, sel)
    if extra is not None:
        where.append(extra)
    if metric.subject == "ticket":
        return (
            select(
                *LEDGER_SOURCE,
                Ticket.name.label("ticket"),
                Ticket.state.label("ticket_state"),
                Ticket.completed_at.label("ticket_finished"),
            )
            .join(Case, Case.id == Ticket.case_id)
            .where(*where)
            .order_by(Ticket.completed_at, Ticket.id)
        )
    return select(*LEDGER_SOURCE).where(*where).order_by(Case.received_at, Case.id)


def columns_for(sel: Selection) -> tuple[tuple[str, str], ...]:
    return TICKET_COLUMNS if sel.resolve().subject == "ticket" else CASE_COLUMNS


def count(conn: Connection, ctx: Context, sel: Selection) -> int:
    if ctx.scope.empty:
        return 0
    inner = _statement(ctx, sel).order_by(None).subquery()
    planner.settle(conn)
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def rows(
    conn: Connection, ctx: Context, sel: Selection, *, limit: int | None = None, offset: int = 0
) -> Iterator[dict[str, Any]]:
    """Ledger rows (display values, local times) in a stable order."""
    if ctx.scope.empty:
        return
    stmt = _statement(ctx, sel).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    planner.settle(conn)
    for row in conn.execute(stmt).mappings():
        yield ledger_row(ctx, row)


def _when(value: datetime | None) -> str:
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _name(named: Mapping[str, Any], key: str | None) -> str:
    """The display name of a configured thing; the raw key when the definition lost it."""
    if key is None:
        return ""
    return str(named[key].name) if key in named else key


def ledger_row(ctx: Context, row: Mapping[Any, Any]) -> dict[str, Any]:
    """One case as the ledger shows it: names instead of keys, local times, 是/否."""
    county = ctx.county
    channel = row["channel"]
    result: dict[str, Any] = {
        "id": row["id"],
        "code": row["code"],
        "title": row["title"],
        "received_at": _when(row["received_at"]),
        "channel": _name(county.channels, channel),
        "category": row["category"],
        "severity": row["severity"],
        "location": _name(county.centers, row["location"]),
        "level": row["level"],
        "center": _name(county.centers, row["center"]),
        "office": _name(county.offices, row["office"]),
        "mediator": row["mediator"] or "",
        "studio": _name(county.studios, row["studio"]),
        "status": STATUS.get(row["status"], row["status"]),
        "due_at": _when(row["due_at"]),
        "closed_at": _when(row["closed_at"]),
        "closed_on_time": _yes_no(row["closed_on_time"]),
        "outcome": row["outcome"] or "",
        "resolved": _yes_no(row["resolved"]),
        "satisfaction": row["satisfaction"] or "",
        "visits": row["visits"],
        "colour": row["colour"],
        "supervised": _yes_no(row["supervised"]),
    }
    if "ticket" in row:
        result["ticket"] = row["ticket"]
        result["ticket_state"] = "退单" if row["ticket_state"] == "returned" else "已接单"
        result["ticket_finished"] = _when(row["ticket_finished"])
    return result
