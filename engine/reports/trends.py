"""Trends for charts: received and closed counts per day (or per month) of a span.

One query with one SUM per bucket, the same SQL on SQLite and PostgreSQL (no time-zone
functions): buckets are local days or months turned into UTC bounds in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, select
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


def _count_in(column: InstrumentedAttribute[Any], bucket: Period) -> ColumnElement[int]:
    inside = and_(column >= bucket.start_utc, column < bucket.end_utc)
    return func.sum(case((inside, 1), else_=0))


def trend(conn: Connection, ctx: Context, buckets: list[Period]) -> list[Point]:
    """Received and closed per bucket, in scope; buckets in time order, contiguous."""
    if not buckets or ctx.scope.empty:
        return [Point(_label(b), 0, 0) for b in buckets]
    if len(buckets) > MAX_BUCKETS:
        raise ValueError(f"趋势最多 {MAX_BUCKETS} 个时间段")
    received = _per_bucket(conn, ctx, buckets, Case.received_at, None)
    closed = _per_bucket(conn, ctx, buckets, Case.closed_at, Case.status == "closed")
    return [Point(_label(b), r, c) for b, r, c in zip(buckets, received, closed, strict=True)]


def _per_bucket(
    conn: Connection,
    ctx: Context,
    buckets: list[Period],
    column: InstrumentedAttribute[Any],
    extra: ColumnElement[bool] | None,
) -> list[int]:
    """One query per time column, so each range is served by its own index."""
    start, end = buckets[0].start_utc, buckets[-1].end_utc
    where = [ctx.in_scope(), column >= start, column < end]
    if extra is not None:
        where.append(extra)
    values = conn.execute(select(*[_count_in(column, b) for b in buckets]).where(*where)).one()
    return [int(v or 0) for v in values]


def _label(bucket: Period) -> str:
    if bucket.kind == "month":
        return f"{bucket.first:%Y-%m}"
    return f"{bucket.first:%m-%d}"
