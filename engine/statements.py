"""Prebuilt Core statements for the hot path (intake and actions).

Building a statement with `.where(...)`/`.values(...)` costs more CPU than running it on
SQLite; built once with bind parameters, SQLAlchemy also memoizes its cache key, so each
execution is little more than the driver call. Columns to SET come from the parameters.
"""

from __future__ import annotations

from sqlalchemy import (
    bindparam,
    cast,
    delete,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION
from engine.tables import CASE, EVENT, PARTY, SEQUENCE, TICKET
from engine.timers import timer as TIMER
from engine.views import TicketView

OPEN = ("open", "claimed")

_WITH_HASH = select(CASE, VERSION.c.content_hash.label("version_hash")).join(
    VERSION, VERSION.c.id == CASE.c.version_id
)
CASE_BY_ID = _WITH_HASH.where(CASE.c.id == bindparam("case_id"))
CASE_BY_CODE = _WITH_HASH.where(CASE.c.code == bindparam("code"))
TICKET_BY_ID = select(TICKET).where(TICKET.c.id == bindparam("ticket_id"))
# A ticket with its case and the case's version hash in one round trip (every action's start).
TICKET_WITH_CASE = (
    select(
        *[c.label("t_" + c.name) for c in TICKET.columns],
        *CASE.columns,
        VERSION.c.content_hash.label("version_hash"),
    )
    .join(CASE, CASE.c.id == TICKET.c.case_id)
    .join(VERSION, VERSION.c.id == CASE.c.version_id)
    .where(TICKET.c.id == bindparam("ticket_id"))
)
# The write paths' reads lock the case row on PostgreSQL (SQLite's BEGIN IMMEDIATE already
# serializes writers; its compiler leaves FOR UPDATE out). Every change to a case or its
# tickets holds that lock first, so two actions on one case run one after the other: the last
# view of a joint consultation sees the other views in, and no action writes a case row another
# has changed since it read it. A waiting action then reads the case as committed.
TICKET_WITH_CASE_LOCKED = TICKET_WITH_CASE.with_for_update(of=CASE)
CASE_BY_ID_LOCKED = CASE_BY_ID.with_for_update(of=CASE)
CASE_BY_CODE_LOCKED = CASE_BY_CODE.with_for_update(of=CASE)
# The timer worker never waits for a case: it already holds the timer rows it claimed, which
# an action on that case may be waiting for (it deletes its ticket's timers), so waiting could
# deadlock. A locked case's timer is left for the next poll instead (`timers.Deferred`).
CASE_BY_ID_IF_FREE = CASE_BY_ID.with_for_update(of=CASE, skip_locked=True)
CASE_EXISTS = select(CASE.c.id).where(CASE.c.id == bindparam("case_id"))
VERSION_HASH = select(VERSION.c.content_hash).where(VERSION.c.id == bindparam("version_id"))
# A stored version's source: its files and its county's key, to compile it under that key.
VERSION_SOURCE = (
    select(VERSION.c.files, COUNTY.c.code)
    .join(COUNTY, COUNTY.c.id == VERSION.c.county_id)
    .where(VERSION.c.id == bindparam("version_id"))
)
CURRENT_VERSION = (
    select(VERSION.c.id, VERSION.c.county_id, VERSION.c.content_hash)
    .join(COUNTY, COUNTY.c.id == VERSION.c.county_id)
    .where(COUNTY.c.code == bindparam("county"), VERSION.c.is_current.is_(True))
)

INSERT_CASE = insert(CASE).returning(CASE.c.id)
INSERT_PARTY = insert(PARTY)
INSERT_TICKET = insert(TICKET).returning(TICKET.c.id)
INSERT_EVENT = insert(EVENT)
INSERT_TIMER = insert(TIMER)
# The parameters name the columns to set; `where_case` is not a column.
UPDATE_CASE = update(CASE).where(CASE.c.id == bindparam("where_case"))
BUMP_SEQUENCE = (
    update(SEQUENCE)
    .where(SEQUENCE.c.county_id == bindparam("county"), SEQUENCE.c.year == bindparam("seq_year"))
    .values(last=SEQUENCE.c.last + 1)
    .returning(SEQUENCE.c.last)
)

FINISH_TICKET = (
    update(TICKET)
    .where(TICKET.c.id == bindparam("where_ticket"), TICKET.c.state.in_(OPEN))
    .where(TICKET.c.claimed_by.is_(None) | (TICKET.c.claimed_by == bindparam("actor")))
)
CANCEL_STEP = (
    update(TICKET)
    .where(
        TICKET.c.case_id == bindparam("where_case"),
        TICKET.c.state.in_(OPEN),
        TICKET.c.kind != "supervision",
        TICKET.c.step == bindparam("where_step"),
    )
    .returning(TICKET.c.id)
)
# The kind is written into the SQL, not bound: SQLite compares a bound `kind = ?` with the
# partial index ix_ticket_supervision's `kind = 'supervision'` and then prepares the statement
# again on every execution (about 25 us each time here).
OPEN_EVALUATION = select(TICKET).where(
    TICKET.c.case_id == bindparam("case_id"),
    TICKET.c.kind == literal_column("'evaluation'"),
    TICKET.c.state.in_(OPEN),
)
FINISH_OPEN = update(TICKET).where(
    TICKET.c.id == bindparam("where_ticket"), TICKET.c.state.in_(OPEN)
)
CANCEL_ALL = (
    update(TICKET)
    .where(TICKET.c.case_id == bindparam("where_case"), TICKET.c.state.in_(OPEN))
    .returning(TICKET.c.id)
)
DROP_CASE_TIMERS = delete(TIMER).where(
    TIMER.c.case_id == bindparam("where_case"), TIMER.c.fired_at.is_(None)
)
# One ticket's pending timers (the driver path runs no expanding IN lists).
DROP_ONE_TICKET_TIMERS = delete(TIMER).where(
    TIMER.c.ticket_id == bindparam("ticket_id"), TIMER.c.fired_at.is_(None)
)
DROP_TICKET_TIMERS = delete(TIMER).where(
    TIMER.c.ticket_id.in_(bindparam("ids", expanding=True)), TIMER.c.fired_at.is_(None)
)

# The case view's tickets and parties in one statement (one round trip), tickets first, each in
# id order: `kind` (0 ticket, 1 party), the row id, exactly the TicketView fields in their
# order, then the party's name, role, phone and id number (queries.case_view builds the
# records positionally). The other kind's columns are typed NULLs (PostgreSQL's UNION wants
# matching types).
TICKET_VIEW_COLUMNS = tuple(TicketView.__dataclass_fields__)
PARTY_VIEW_COLUMNS = ("name", "role", "phone", "id_number")
_TICKET_PART = select(
    literal_column("0").label("view_kind"),
    TICKET.c.id.label("row_id"),
    *[TICKET.c[name] for name in TICKET_VIEW_COLUMNS],
    *[cast(null(), PARTY.c[name].type).label("p_" + name) for name in PARTY_VIEW_COLUMNS],
).where(TICKET.c.case_id == bindparam("case_id"))
_PARTY_PART = select(
    literal_column("1"),
    PARTY.c.id,
    *[cast(null(), TICKET.c[name].type) for name in TICKET_VIEW_COLUMNS],
    *[PARTY.c[name] for name in PARTY_VIEW_COLUMNS],
).where(PARTY.c.case_id == bindparam("case_id"))
CASE_VIEW_ROWS = union_all(_TICKET_PART, _PARTY_PART).order_by(
    literal_column("view_kind"), literal_column("row_id")
)
CASE_TICKETS = select(TICKET).where(TICKET.c.case_id == bindparam("case_id")).order_by(TICKET.c.id)
CASE_PARTIES = select(PARTY).where(PARTY.c.case_id == bindparam("case_id")).order_by(PARTY.c.id)
CASE_VIEW = (
    select(CASE, COUNTY.c.code.label("county_key"))
    .join(COUNTY, COUNTY.c.id == CASE.c.county_id)
    .where(CASE.c.id == bindparam("case_id"))
)
