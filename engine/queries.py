"""Reading one case for people: the case view, its timeline and whether a principal may see
it. Visibility is part of every query's WHERE clause (engine.scope). Lists of work live in
engine.worklists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import NoResultFound

from dsl.model import County
from engine import driver, scope
from engine import statements as sql
from engine.registry import COUNTY_T as COUNTY
from engine.scope import Principal
from engine.tables import CASE, EVENT
from engine.views import (
    CaseView,
    EventView,
    PartyView,
    TicketView,
    mask_id,
    mask_phone,
)


def case_view(
    conn: Connection, case_id: int, case: dict[str, Any] | None = None, county_key: str = ""
) -> CaseView:
    """The case with its (masked) parties and its tickets; `case` and `county_key` when the
    caller holds the row it just wrote, saving a query."""
    row: Any = {**case, "county_key": county_key} if case is not None else None
    if row is None:
        row = driver.first(conn, sql.CASE_VIEW, {"case_id": case_id})
        if row is None:
            raise NoResultFound("No row was found when one was required")
    rows = driver.tuples(conn, sql.CASE_VIEW_ROWS, {"case_id": case_id})
    tickets = [r[2:_PARTY_AT] for r in rows if r[0] == 0]
    parties = [r[_PARTY_AT:] for r in rows if r[0] == 1]
    # A freshly inserted case lacks the nullable columns it did not set: they are NULL.
    get = row.get
    fields = {name: get(name) for name in _CASE_FIELDS}
    return CaseView(
        **fields,
        county=row["county_key"],
        parties=tuple(
            PartyView(name, role, mask_phone(phone), mask_id(id_number))
            for name, role, phone, id_number in parties
        ),
        tickets=tuple(TicketView(*t) for t in tickets),
    )


_PARTY_AT = 2 + len(sql.TICKET_VIEW_COLUMNS)  # CASE_VIEW_ROWS: kind, id, ticket..., party...
_CASE_FIELDS = tuple(
    name for name in CaseView.__dataclass_fields__ if name not in ("parties", "tickets", "county")
)


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
