"""Scope in SQL: which tickets and cases a staff member may see and work.

- A membership with an office sees that office's tickets at that center, and the cases that
  have (or had) a ticket there.
- A membership without an office (center roles: clerks, dispatchers, supervisors, leaders)
  sees the tickets of its role at that center, and every case whose current center is that
  center or below it, plus the cases it received (first-asked responsibility, 首问负责).
County administrators see their whole county. Everything is a WHERE clause, never a filter in
Python or a template, so paging and counts can never leak another town's case.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, exists, false, or_, select, true

from admin.auth import StaffUser
from engine.registry import County
from engine.tables import Case, Ticket

CASE = Case.__table__
TICKET = Ticket.__table__


def county_id(db: Engine, code: str) -> int | None:
    return _county_ids(db).get(code) or _refresh_county_ids(db).get(code)


_ids: dict[tuple[int, str], int] = {}


def _county_ids(db: Engine) -> dict[str, int]:
    return {code: value for (engine_id, code), value in _ids.items() if engine_id == id(db)}


def _refresh_county_ids(db: Engine) -> dict[str, int]:
    with db.connect() as conn:
        for row in conn.execute(select(County.id, County.code)):
            _ids[(id(db), row.code)] = row.id
    return _county_ids(db)


def county_model(db: Engine, code: str) -> Any:
    """The county's current compiled definition (dsl.model.County), or None before publishing."""
    try:
        from engine import versions  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the engine's versions module is not there: no tree to walk
        return None
    try:
        return versions.current_county(db, code)
    except Exception:  # an unpublished county has no tree; scope falls back to exact centers
        return None


def below(db: Engine, county: str, center: str) -> tuple[str, ...]:
    """`center` and every center under it in the county's tree."""
    model = county_model(db, county)
    if model is None:
        return (center,)
    return _subtree(tuple((c.key, c.parent) for c in model.centers.values()), center)


@lru_cache(maxsize=512)
def _subtree(pairs: tuple[tuple[str, str | None], ...], root: str) -> tuple[str, ...]:
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [key for key, up in pairs if up == parent]
        found.extend(children)
        frontier.extend(children)
    return tuple(found)


def todo_clause(user: StaffUser) -> ColumnElement[bool]:
    """Open tickets this user may work: their role, at their center (and office)."""
    parts = []
    for m in user.memberships:
        conditions = [TICKET.c.center == m.center, TICKET.c.role == m.role]
        if m.office:
            conditions.append(TICKET.c.office == m.office)
        parts.append(and_(*conditions))
    return or_(*parts) if parts else false()


def case_clause(db: Engine, user: StaffUser) -> ColumnElement[bool]:
    """Cases this user may read (and, through tickets, act on)."""
    if user.is_admin:
        return true()
    parts: list[ColumnElement[bool]] = []
    for m in user.memberships:
        if m.office:
            parts.append(
                exists().where(
                    TICKET.c.case_id == CASE.c.id,
                    TICKET.c.center == m.center,
                    TICKET.c.office == m.office,
                )
            )
        else:
            centers = below(db, user.county, m.center)
            parts.append(CASE.c.center.in_(centers))
            parts.append(CASE.c.received_center == m.center)
    return or_(*parts) if parts else false()
