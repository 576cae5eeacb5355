"""Scope in SQL: which tickets and cases a staff member may see and work.

The rule is the engine's (engine.scope): a membership with an office sees that office's
tickets at its center and the cases that have one there; a center role (no office) sees its
role's tickets at its center and every case at that center or below it, plus the cases it
received (first-asked responsibility). Everything is a WHERE clause, never a filter in Python
or a template, so paging can never leak another town's case. This module adds the county
lookups the web pages need around it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, exists, false, or_, select, true

from admin.auth import StaffUser
from engine import scope as engine_scope
from engine.registry import County
from engine.tables import Case, Ticket

CASE = Case.__table__
TICKET = Ticket.__table__
SCOPE_TICKET = TICKET.alias("scope_ticket")
log = logging.getLogger("yidi.web")

_ids: dict[tuple[int, str], int] = {}


def county_id(db: Engine, code: str) -> int | None:
    """The county row's id (cached: counties are created once and never renumbered)."""
    key = (id(db), code)
    if key not in _ids:
        with db.connect() as conn:
            found = conn.execute(select(County.id).where(County.code == code)).scalar()
        if found is None:
            return None
        _ids[key] = int(found)
    return _ids[key]


def county_model(db: Engine, code: str) -> Any:
    """The county's current compiled definition (dsl.model.County), or None before publishing."""
    from engine import versions
    from engine.errors import EngineError

    try:
        return versions.current_county(db, code)
    except EngineError:
        return None


def todo_clause(user: StaffUser) -> ColumnElement[bool]:
    """Open tickets this user may work: their role, at their center (and office)."""
    return engine_scope.ticket_clause(user.principal())


def case_clause(db: Engine, user: StaffUser) -> ColumnElement[bool]:
    """Cases this user may read (and, through their tickets, act on): engine.scope's rule.

    Written with a correlated EXISTS on the case's own tickets (ix_ticket_case) instead of the
    engine's IN (all tickets of the office), so that reading one case by its code touches a
    handful of rows, not the office's whole backlog.
    """
    if user.is_admin:
        return true()
    model = county_model(db, user.county)
    if model is None:
        return false()
    parts: list[ColumnElement[bool]] = []
    for m in user.memberships:
        # An alias, so that inside a query that already reads `ticket` (the inbox's 督办 tab)
        # the EXISTS still looks at the case's own tickets instead of correlating to the outer
        # ticket row (which left it without a FROM clause: an error, answered with a 500).
        t = SCOPE_TICKET
        here = and_(t.c.case_id == CASE.c.id, t.c.center == m.center)
        if m.office:
            # their office's tickets, and the center-level tickets of their role, which
            # engine.scope.may_work lets them work (the inbox lists those too)
            here = and_(
                here,
                or_(t.c.office == m.office, and_(t.c.office.is_(None), t.c.role == m.role)),
            )
        parts.append(exists().where(here))
        if not m.office and m.center in model.centers:
            parts.append(CASE.c.center.in_(engine_scope.below(model, m.center)))
        parts.append(CASE.c.received_center == m.center)
    return or_(*parts) if parts else false()
