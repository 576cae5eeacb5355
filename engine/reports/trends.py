"""Trends for charts: received and closed counts per day (or per month) of a span.

One query with one SUM per bucket, the same SQL on SQLite and PostgreSQL (no time-zone
functions): buckets are local days or months turned into UTC bounds in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from engine.reports.cohorts import Context
from engine.reports.periods import Period
from engine.tables import Case

MAX_BUCKETS = 62


@dataclass(frozen=True)
class Point:
    label: str
    received: int
    closed: int


def _count_in(
    column: InstrumentedAttribute[Any], bucket: Period, extra: ColumnElement[bool] | None = None
) -> ColumnElement[int]:
    inside = and_(column >= bucket.start_utc, column < bucket.end_utc)
    if extra is not None:
        inside = and_(inside, extra)
    return func.sum(case((inside, 1), else_=0))


def trend(conn: Connection, ctx: Context, buckets: list[Period]) -> list[Point]:
    """Received and closed per bucket, in scope; buckets in time order, contiguous."""
    if not buckets or ctx.scope.empty:
        return [Point(_label(b), 0, 0) for b in buckets]
    if len(buckets) > MAX_BUCKETS:
        raise ValueError(f"趋势最多 {MAX_BUCKETS} 个时间段")
    start, end = buckets[0].start_utc, buckets[-1].end_utc
    closed = Case.status == "closed"
    columns = [_count_in(Case.received_at, b) for b in buckets]
    columns += [_count_in(Case.closed_at, b, closed) for b in buckets]
    touching = or_(
        and_(Case.received_at >= start, Case.received_at < end),
        and_(closed, Case.closed_at >= start, Case.closed_at < end),
    )
    values = conn.execute(select(*columns).where(ctx.in_scope(), touching)).one()
    n = len(buckets)
    return [
        Point(_label(b), int(values[i] or 0), int(values[n + i] or 0))
        for i, b in enumerate(buckets)
    ]


def _label(bucket: Period) -> str:
    if bucket.kind == "month":
        return f"{bucket.first:%Y-%m}"
    return f"{bucket.first:%m-%d}"
