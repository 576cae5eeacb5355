"""Trends for charts: received and closed counts per day (or per month) of a span.

One query per time column grouping by bucket, the same SQL on SQLite and PostgreSQL (no
time-zone functions): buckets are local days or months turned into UTC bounds in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, literal, select
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


def _bucket_of(column: InstrumentedAttribute[Any], buckets: list[Period]) -> ColumnElement[int]:
    """The index of the bucket holding `column`'s value, found by halving the buckets:
    five comparisons a row for a month of days, where one SUM per bucket made thirty."""

    def within(first: int, stop: int) -> ColumnElement[int]:
        if stop - first == 1:
            return literal(first)
        middle = (first + stop) // 2
        return case(
            (column < buckets[middle].start_utc, within(first, middle)),
            else_=within(middle, stop),
        )

    return within(0, len(buckets))


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
    rows = select(_bucket_of(column, buckets).label("bucket")).where(*where).subquery()
    counted = select(rows.c.bucket, func.count()).group_by(rows.c.bucket)
    found: dict[int, int] = {int(b): int(n) for b, n in conn.execute(counted).all()}
    return [found.get(index, 0) for index in range(len(buckets))]


def _label(bucket: Period) -> str:
    if bucket.kind == "month":
        return f"{bucket.first:%Y-%m}"
    return f"{bucket.first:%m-%d}"
