"""Lists of work for people: the inbox tabs, search within scope and the citizen's progress
lookup. Visibility is part of every query's WHERE clause (engine.scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, literal_column, select

from dsl.model import County
from engine import scope
from engine.errors import ActionRefused
from engine.scope import Principal
from engine.tables import CASE, PARTY, TICKET
from engine.views import CaseRow, Page, PublicProgress, TicketRow

TABS = ("todo", "done", "overdue", "supervised")
STATUS_ZH = {"open": "办理中", "suspended": "已中止", "closed": "已办结"}


def inbox(
    conn: Connection,
    principal: Principal,
    county_id: int,
    county: County,
    *,
    tab: str,
    filters: dict[str, Any],
    page: int,
    per_page: int,
    now: datetime,
) -> Page[TicketRow]:
    if tab not in TABS:
        raise ActionRefused(f"没有「{tab}」这个标签页（可选：{'、'.join(TABS)}）")
    if page < 1 or not 1 <= per_page <= 500:
        raise ActionRefused("页码或每页条数无效")
    where: list[Any] = [TICKET.c.county_id == county_id]
    order: list[Any]
    if tab == "done":
        where.append(TICKET.c.completed_by == principal.username)
        order = [TICKET.c.completed_at.desc(), TICKET.c.id.desc()]
    else:
        where += [TICKET.c.state.in_(("open", "claimed")), scope.ticket_clause(principal)]
        order = [TICKET.c.due_at.is_(None), TICKET.c.due_at, TICKET.c.id]
    if tab == "overdue":
        where.append(TICKET.c.due_at < now)
    if tab == "supervised":
        where[-1] = scope.case_clause(principal, county)
        # written into the SQL: a bound kind makes SQLite re-prepare the statement on every
        # run against the partial index ix_ticket_supervision (docs/engine.md, third pass)
        where.append(TICKET.c.kind == literal_column("'supervision'"))
    for column in ("category", "severity", "channel", "center"):
        if filters.get(column):
            where.append(CASE.c[column] == filters[column])
    if filters.get("step"):
        where.append(TICKET.c.step == filters["step"])
    query = (
        select(TICKET, CASE.c.code, CASE.c.category, CASE.c.severity)
        .join(CASE, CASE.c.id == TICKET.c.case_id)
        .where(and_(*where))
        .order_by(*order)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = conn.execute(query).mappings().all()
    items = [
        TicketRow(
            id=r["id"],
            case_code=r["code"],
            step=r["step"],
            name=r["name"],
            kind=r["kind"],
            state=r["state"],
            center=r["center"],
            office=r["office"],
            role=r["role"],
            created_at=r["created_at"],
            due_at=r["due_at"],
            colour=r["colour"],
            overdue=r["due_at"] is not None
            and r["due_at"] < now
            and r["state"] in ("open", "claimed"),
            category=r["category"],
            severity=r["severity"],
            completed_at=r["completed_at"],
        )
        for r in rows[:per_page]
    ]
    return Page(items=items, page=page, per_page=per_page, has_next=len(rows) > per_page)


def search(
    conn: Connection, principal: Principal, county_id: int, county: County, text: str
) -> list[CaseRow]:
    text = text.strip()
    if not text:
        return []
    by_party = select(PARTY.c.case_id).where((PARTY.c.name == text) | (PARTY.c.phone == text))
    query = (
        select(CASE)
        .where(CASE.c.county_id == county_id, scope.case_clause(principal, county))
        .where((CASE.c.code == text.upper()) | CASE.c.id.in_(by_party))
        .order_by(CASE.c.received_at.desc())
        .limit(100)
    )
    return [
        CaseRow(
            r["code"],
            r["category"],
            r["severity"],
            r["status"],
            r["step"],
            r["center"],
            r["received_at"],
            r["due_at"],
        )
        for r in conn.execute(query).mappings()
    ]


def progress(conn: Connection, county_of: Any, code: str, phone: str) -> PublicProgress | None:
    """Only when the phone is a party's: the stage and deadlines, never notes or names."""
    phone = phone.strip()
    if not phone:
        return None
    row = (
        conn.execute(
            select(CASE).where(
                CASE.c.code == code.strip().upper(),
                CASE.c.id.in_(select(PARTY.c.case_id).where(PARTY.c.phone == phone)),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    county: County = county_of(conn, int(row["version_id"]))
    steps = county.processes[row["process"]].steps if row["process"] in county.processes else {}
    done = conn.execute(
        select(TICKET.c.step, TICKET.c.completed_at)
        .where(
            TICKET.c.case_id == row["id"],
            TICKET.c.state == "completed",
            TICKET.c.kind != "supervision",
        )
        .order_by(TICKET.c.completed_at)
    ).all()
    stage = steps[row["step"]].name if row["step"] in steps else (row["step"] or "")
    return PublicProgress(
        code=row["code"],
        status=STATUS_ZH.get(row["status"], row["status"]),
        stage=stage,
        received_at=row["received_at"],
        due_at=row["due_at"],
        closed_at=row["closed_at"],
        history=tuple((steps[s].name if s in steps else s, at) for s, at in done),
    )
