"""Reading letters: the searchable list with its counts, one letter with its history, the
workbench's count of letters to sign or answer, and the figures per kind and office.

Every query carries `letters.visible` (county and scope) in its WHERE clause; "overdue" is the
worker's mark or, before the worker has run, an unanswered letter past its deadline, so a list
read between the deadline and the timer's firing does not show a late letter as on time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from dsl.model import County
from engine.letter_tables import LETTER, LETTER_EVENT
from engine.letters import visible
from engine.scope import Principal
from engine.tables import CASE

OPEN = ("issued", "signed")
PER_PAGE = 50
# the list's 状态 filter: the states, and 逾期 (any state, late)
STATUS_FILTERS = {
    "issued": "待签收",
    "signed": "待回复",
    "answered": "已回复待销号",
    "closed": "已销号",
    "overdue": "逾期",
}


def late(now: datetime) -> ColumnElement[bool]:
    """Overdue: marked by the worker, or unanswered past its deadline already."""
    return or_(LETTER.c.overdue, and_(LETTER.c.state.in_(OPEN), LETTER.c.due_at <= now))


@dataclass
class Search:
    number: str = ""  # part of the number (文号)
    kind: str = ""
    office: str = ""  # the addressee office
    status: str = ""  # a key of STATUS_FILTERS
    todo: bool = False  # only letters this principal's offices have to sign or answer


@dataclass
class Found:
    rows: list[dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)  # STATUS_FILTERS key -> count
    total: int = 0
    has_next: bool = False


def _todo(principal: Principal) -> ColumnElement[bool]:
    offices = [
        and_(LETTER.c.to_center == m.center, LETTER.c.to_office == m.office)
        for m in principal.memberships
        if m.office
    ]
    return and_(LETTER.c.state.in_(OPEN), or_(*offices)) if offices else false()


def _where(
    principal: Principal, county: County, county_id: int, search: Search
) -> list[ColumnElement[bool]]:
    where = [visible(principal, county, county_id)]
    if search.number:
        where.append(LETTER.c.number.contains(search.number, autoescape=True))
    if search.kind:
        where.append(LETTER.c.kind == search.kind)
    if search.office:
        where.append(LETTER.c.to_office == search.office)
    if search.todo:
        where.append(_todo(principal))
    return where


def search(
    conn: Connection,
    principal: Principal,
    county: County,
    county_id: int,
    query: Search,
    now: datetime,
    page: int = 1,
) -> Found:
    where = _where(principal, county, county_id, query)
    is_late = late(now)
    counted = select(
        *(func.count().filter(LETTER.c.state == key) for key in ("issued", "signed")),
        *(func.count().filter(LETTER.c.state == key) for key in ("answered", "closed")),
        func.count().filter(is_late),
        func.count(),
    ).where(*where)
    numbers = conn.execute(counted).one()
    counts = dict(zip(STATUS_FILTERS, (int(n) for n in numbers[:5]), strict=True))
    if query.status == "overdue":
        where.append(is_late)
    elif query.status in STATUS_FILTERS:
        where.append(LETTER.c.state == query.status)
    rows = conn.execute(
        select(LETTER, is_late.label("late"), CASE.c.code.label("case_code"))
        .select_from(LETTER.outerjoin(CASE, CASE.c.id == LETTER.c.case_id))
        .where(*where)
        .order_by(LETTER.c.issued_at.desc(), LETTER.c.id.desc())
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
    ).mappings()
    found = [dict(r) for r in rows]
    return Found(found[:PER_PAGE], counts, int(numbers[5]), len(found) > PER_PAGE)


def todo_count(conn: Connection, principal: Principal, county: County, county_id: int) -> int:
    """Letters waiting for this principal's offices to sign for or answer (the workbench)."""
    query = select(func.count()).where(visible(principal, county, county_id), _todo(principal))
    return int(conn.execute(query).scalar_one())


def one(
    conn: Connection, principal: Principal, county: County, county_id: int, letter_id: int,
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:  # fmt: skip
    """The letter (with its case's code) and its history, or None when not visible."""
    row = (
        conn.execute(
            select(LETTER, late(now).label("late"), CASE.c.code.label("case_code"))
            .select_from(LETTER.outerjoin(CASE, CASE.c.id == LETTER.c.case_id))
            .where(LETTER.c.id == letter_id, visible(principal, county, county_id))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    events = conn.execute(
        select(LETTER_EVENT)
        .where(LETTER_EVENT.c.letter_id == letter_id)
        .order_by(LETTER_EVENT.c.id)
    ).mappings()
    return dict(row), [dict(e) for e in events]


def of_case(
    conn: Connection, principal: Principal, county: County, county_id: int, case_id: int
) -> list[dict[str, Any]]:
    """The letters sent about a case that this principal may read (the case page lists them)."""
    query = (
        select(LETTER.c.id, LETTER.c.number, LETTER.c.title, LETTER.c.state, LETTER.c.to_office)
        .where(LETTER.c.case_id == case_id, visible(principal, county, county_id))
        .order_by(LETTER.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def issuer_counts(
    conn: Connection, principal: Principal, county: County, county_id: int, now: datetime
) -> tuple[int, int]:
    """For the issuing side's workbench: letters its centers sent that are overdue and still
    unanswered, and letters answered and waiting to be closed (销号)."""
    mine = [
        and_(LETTER.c.issuer_center == m.center, LETTER.c.kind.in_(kinds))
        for m in principal.memberships
        if (kinds := [k.key for k in county.letters.values() if m.role in k.issuers])
    ]
    if not mine:
        return 0, 0
    query = select(
        func.count().filter(LETTER.c.state.in_(OPEN), late(now)),
        func.count().filter(LETTER.c.state == "answered"),
    ).where(LETTER.c.county_id == county_id, or_(*mine))
    overdue, to_close = conn.execute(query).one()
    return int(overdue), int(to_close)


@dataclass(frozen=True)
class Figure:
    kind: str
    office: str
    issued: int
    answered_on_time: int
    overdue: int
    closed: int


def figures(
    conn: Connection,
    principal: Principal,
    county: County,
    county_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Figure]:
    """Per kind and addressee office, letters issued in [start, end): how many, answered on
    time, overdue (answered late, or still unanswered past the deadline), closed."""
    is_late = case((late(now), 1), (LETTER.c.answered_on_time.is_(False), 1), else_=0)
    query = (
        select(
            LETTER.c.kind,
            LETTER.c.to_office,
            func.count(),
            func.count().filter(LETTER.c.answered_on_time.is_(True)),
            func.sum(is_late),
            func.count().filter(LETTER.c.state == "closed"),
        )
        .where(
            visible(principal, county, county_id),
            LETTER.c.issued_at >= start,
            LETTER.c.issued_at < end,
        )
        .group_by(LETTER.c.kind, LETTER.c.to_office)
        .order_by(LETTER.c.kind, LETTER.c.to_office)
    )
    return [
        Figure(str(k), str(o), int(n), int(t), int(late_n or 0), int(c))
        for k, o, n, t, late_n, c in conn.execute(query)
    ]
