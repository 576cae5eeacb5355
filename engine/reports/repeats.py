"""Repeat groups behind the repeat figures: the same party, or the same place and category,
on several cases received in one period. Personal data is masked: a list of repeats is read
in meetings, where names and phone numbers are not needed in full."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, literal, select

from engine.reports.cohorts import Context, received
from engine.tables import Case, CaseParty


@dataclass(frozen=True)
class RepeatGroup:
    label: str  # masked party, or place name and category
    cases: int
    codes: tuple[str, ...]


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


def _codes(conn: Connection, ids: list[int]) -> tuple[str, ...]:
    found = conn.execute(select(Case.code).where(Case.id.in_(ids)).order_by(Case.code))
    return tuple(found.scalars())


def by_party(conn: Connection, ctx: Context, limit: int = 20) -> list[RepeatGroup]:
    if ctx.scope.empty:
        return []
    cohort = select(Case.id).where(ctx.in_scope(), received(ctx))
    phone = func.coalesce(CaseParty.phone, literal(""))
    cases = func.count(func.distinct(CaseParty.case_id))
    stmt = (
        select(CaseParty.name, phone.label("phone"), cases.label("n"))
        .where(CaseParty.case_id.in_(cohort))
        .group_by(CaseParty.name, phone)
        .having(cases > 1)
        .order_by(cases.desc(), CaseParty.name)
        .limit(limit)
    )
    groups = []
    for name, number, n in conn.execute(stmt).all():
        ids = conn.execute(
            select(CaseParty.case_id)
            .distinct()
            .where(CaseParty.case_id.in_(cohort), CaseParty.name == name, phone == number)
        ).scalars()
        label = mask_name(name) + (f"（{mask_phone(number)}）" if number else "")
        groups.append(RepeatGroup(label, int(n), _codes(conn, list(ids))))
    return groups


def by_place(conn: Connection, ctx: Context, limit: int = 20) -> list[RepeatGroup]:
    if ctx.scope.empty:
        return []
    n = func.count()
    stmt = (
        select(Case.location, Case.category, n.label("n"))
        .where(ctx.in_scope(), received(ctx))
        .group_by(Case.location, Case.category)
        .having(n > 1)
        .order_by(n.desc(), Case.location, Case.category)
        .limit(limit)
    )
    groups = []
    centers = ctx.county.centers
    for location, category, count in conn.execute(stmt).all():
        ids = conn.execute(
            select(Case.id).where(
                ctx.in_scope(), received(ctx), Case.location == location, Case.category == category
            )
        ).scalars()
        place = centers[location].name if location in centers else location
        groups.append(RepeatGroup(f"{place} · {category}", int(count), _codes(conn, list(ids))))
    return groups
