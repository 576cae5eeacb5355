"""Recording that the citizen came in person again (再次来访) about a case already received.

`case.visits` feeds the headline shares (resolved with at most one visit, with zero visits;
engine/reports/figures.py): intake sets the first count, and every later trip to a window is
counted here, so a citizen who had to come back no longer shows as "one visit". A visit after
closure counts too: the citizen still had to come. Runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from engine import flow, loading, queries
from engine.errors import ActionRefused, NotFound
from engine.flow import Move
from engine.scope import Principal

MAX_NOTE = 500  # a sentence or two about why they came, not a document


def hidden(code: str) -> str:
    """One answer for a case that does not exist and one outside the principal's scope, so
    codes cannot be probed."""
    return f"没有编号为 {code} 的案件，或该案件不在您的工作范围内"


def record(conn: Connection, principal: Principal, code: str, *, note: str, now: datetime) -> Move:
    """Count one more visit on the case: visits + 1, updated_at, one "visited" event with the
    count before and after. Refused (nothing written) when the principal may not see the case
    (the rule of Engine.case) or the note is too long."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ActionRefused(f"来访说明不能超过 {MAX_NOTE} 字")
    if queries.visible_case(conn, principal, code) is None:  # the rule of Engine.case
        raise NotFound(hidden(code))
    case, model = loading.case_by_code(conn, code)  # locked: two clerks at once count twice
    move = Move(conn=conn, county=model, case=case, now=now, actor=principal.display_name)
    visits = int(case["visits"]) + 1
    move.set(visits=visits)
    move.event("visited", note=note, visits=visits)  # before: the count read under the lock
    flow.save(move)
    return move
