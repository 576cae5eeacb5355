"""Reading one case for people: the case view, its timeline and whether a principal may see
it. Visibility is part of every query's WHERE clause (engine.scope). Lists of work live in
engine.worklists."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.exc import NoResultFound

from dsl.model import County
from engine import driver, scope, versions
from engine import statements as sql
from engine.errors import NotFound
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
    row: Any = case
    if row is None:
        row = driver.first(conn, sql.CASE_VIEW, {"case_id": case_id})
        if row is None:
            raise NoResultFound("No row was found when one was required")
        county_key = row["county_key"]
    rows = driver.tuples(conn, sql.CASE_VIEW_ROWS, {"case_id": case_id})
    # A freshly inserted case lacks the nullable columns it did not set: they are NULL.
    get = row.get
    fields = {name: get(name) for name in _CASE_FIELDS}
    fields["county"] = county_key
    fields["parties"] = tuple(
        PartyView(name, role, mask_phone(phone), mask_id(id_number))
        for name, role, phone, id_number in (r[_PARTY_AT:] for r in rows if r[0] == 1)
    )
    fields["tickets"] = tuple(
        _record(TicketView, dict(zip(_TICKET_FIELDS, r[2:_PARTY_AT], strict=True)))
        for r in rows
        if r[0] == 0
    )
    return _record(CaseView, fields)


_PARTY_AT = 2 + len(sql.TICKET_VIEW_COLUMNS)  # CASE_VIEW_ROWS: kind, id, ticket..., party...
_CASE_FIELDS = tuple(
    name for name in CaseView.__dataclass_fields__ if name not in ("parties", "tickets", "county")
)
_TICKET_FIELDS = sql.TICKET_VIEW_COLUMNS
R = TypeVar("R")


def _record(kind: type[R], values: dict[str, Any]) -> R:
    """A frozen view record from values that name every field, without its generated
    __init__: that sets each field through object.__setattr__ (about 5 us for CaseView's
    48 fields, 2 us per TicketView, on every action's returned view). The instance is the
    same: a plain (not slotted) dataclass keeps its fields in __dict__."""
    made: R = object.__new__(kind)
    made.__dict__.update(values)
    return made


def visible_case(conn: Connection, principal: Principal, code: str) -> int | None:
    """The case id when the principal may see it (in their county's current model); None too
    when their county has no published definition (nothing of it can be visible)."""
    try:
        county = versions.current_in(conn, principal.county)[2]
    except NotFound:
        return None
    return visible_case_id(conn, principal, county, code)


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
