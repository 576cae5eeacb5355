"""Reading cases for people: the case view, its timeline, inboxes, search and the citizen's
progress lookup. Visibility is part of every query's WHERE clause (engine.scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from dsl.model import County
from engine import scope
from engine import statements as sql
from engine.errors import ActionRefused
from engine.registry import COUNTY_T as COUNTY
from engine.scope import Principal
from engine.tables import CASE, EVENT, PARTY, TICKET
from engine.views import (
    CaseRow,
    CaseView,
    EventView,
    Page,
    PartyView,
    PublicProgress,
    TicketRow,
    TicketView,
    mask_id,
    mask_phone,
)

TABS = ("todo", "done", "overdue", "supervised")
STATUS_ZH = {"open": "办理中", "suspended": "已中止", "closed": "已办结"}


def case_view(
    conn: Connection, case_id: int, case: dict[str, Any] | None = None, county_key: str = ""
) -> CaseView:
    """The case with its (masked) parties and its tickets; `case` and `county_key` when the
    caller holds the row it just wrote, saving a query."""
    row: Any = {**case, "county_key": county_key} if case is not None else None
    if row is None:
        row = conn.execute(sql.CASE_VIEW, {"case_id": case_id}).mappings().one()
    parties = conn.execute(sql.CASE_PARTIES, {"case_id": case_id}).mappings().all()
    tickets = conn.execute(sql.CASE_TICKETS, {"case_id": case_id}).mappings().all()
    # A freshly inserted case lacks the nullable columns it did not set: they are NULL.
    fields = {
        name: row.get(name)
        for name in CaseView.__dataclass_fields__
        if name not in ("parties", "tickets", "county")
    }
    return CaseView(
        **fields,
        county=row["county_key"],
        parties=tuple(
            PartyView(p["name"], p["role"], mask_phone(p["phone"]), mask_id(p["id_number"]))
            for p in parties
        ),
        tickets=tuple(_ticket_view(t) for t in tickets),
    )


def _ticket_view(t: Any) -> TicketView:
    return TicketView(**{name: t[name] for name in TicketView.__dataclass_fields__})


def visible_case_id(
    conn: Connection, principal: Principal, county: County, code: str
) -> int | None:
    return conn.execute(
        select(CASE.c.id).where(
            CASE.c.code == code,
            CASE.c.county_id
            == select(COUNTY.c.id).where(COUNTY.c.code == principal.county).scalar_subquery(),
            scope.case_clause(principal, county),
        )
    ).scalar()


def timeline(conn: Connection, case_id: int) -> list[EventView]:
    rows = (
        conn.execute(select(EVENT).where(EVENT.c.case_id == case_id).order_by(EVENT.c.id))
        .mappings()
        .all()
    )
    return [
        EventView(
            r["id"],
            r["at"],
            r["actor"],
            r["kind"],
            r["ticket_id"],
            r["before"],
            r["after"],
            r["note"],
        )
        for r in rows
    ]


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
        where.append(TICKET.c.kind == "supervision")
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
