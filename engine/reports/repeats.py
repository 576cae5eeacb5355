"""Repeat groups behind the repeat figures: the same party, or the same place and category,
on several cases received in one period. Personal data is masked: a list of repeats is read
in meetings, where names and phone numbers are not needed in full."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

from engine.reports import planner
from engine.reports.cohorts import Context, party_visits, received
from engine.tables import Case


@dataclass(frozen=True)
class RepeatGroup:
    label: str  # masked party, or place name and category
    cases: int
    codes: tuple[str, ...]


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


def _grouped(rows: Iterable[Row[Any]]) -> list[tuple[tuple[Any, ...], int, list[str]]]:
    """(key, cases, codes) from rows of (key..., cases, code), in the order they come."""
    groups: dict[tuple[Any, ...], tuple[int, list[str]]] = {}
    for row in rows:
        values = tuple(row)
        key, count, code = values[:-2], values[-2], values[-1]
        groups.setdefault(key, (int(count), []))[1].append(code)
    return [(key, count, codes) for key, (count, codes) in groups.items()]


def by_party(conn: Connection, ctx: Context, limit: int = 20) -> list[RepeatGroup]:
    """The `limit` identities on most cases, each with its cases' codes: one query, over the
    same party rows as the repeat figure (cohorts.party_visits)."""
    if ctx.scope.empty:
        return []
    planner.settle(conn)
    visits = party_visits(ctx)
    repeated = (
        select(visits.c.case_id, visits.c.name, visits.c.phone)
        .where(visits.c.first != visits.c.last)
        .cte("repeated")
    )
    cases = func.count(func.distinct(repeated.c.case_id))
    top = (
        select(repeated.c.name, repeated.c.phone, cases.label("n"))
        .group_by(repeated.c.name, repeated.c.phone)
        .order_by(cases.desc(), repeated.c.name, repeated.c.phone)
        .limit(limit)
        .subquery("top")
    )
    stmt = (
        select(top.c.name, top.c.phone, top.c.n, Case.code)
        .distinct()
        .join_from(
            top, repeated, and_(repeated.c.name == top.c.name, repeated.c.phone == top.c.phone)
        )
        .join(Case, Case.id == repeated.c.case_id)
        .order_by(top.c.n.desc(), top.c.name, top.c.phone, Case.code)
    )
    groups = []
    for (name, number), count, codes in _grouped(conn.execute(stmt)):
        label = mask_name(name) + (f"（{mask_phone(number)}）" if number else "")
        groups.append(RepeatGroup(label, count, tuple(codes)))
    return groups


def by_place(conn: Connection, ctx: Context, limit: int = 20) -> list[RepeatGroup]:
    """The `limit` (place, category) pairs on most cases, each with its cases' codes."""
    if ctx.scope.empty:
        return []
    planner.settle(conn)
    n = func.count()
    top = (
        select(Case.location, Case.category, n.label("n"))
        .where(ctx.in_scope(), received(ctx))
        .group_by(Case.location, Case.category)
        .having(n > 1)
        .order_by(n.desc(), Case.location, Case.category)
        .limit(limit)
        .subquery("top")
    )
    stmt = (
        select(top.c.location, top.c.category, top.c.n, Case.code)
        .join(Case, and_(Case.location == top.c.location, Case.category == top.c.category))
        .where(ctx.in_scope(), received(ctx))
        .order_by(top.c.n.desc(), top.c.location, top.c.category, Case.code)
    )
    centers = ctx.county.centers
    groups = []
    for (location, category), count, codes in _grouped(conn.execute(stmt)):
        place = centers[location].name if location in centers else location
        groups.append(RepeatGroup(f"{place} · {category}", count, tuple(codes)))
    return groups
