"""The inbox (待办): open tickets in the user's scope, overdue first, with filters and paging.

One indexed query per page (ix_ticket_inbox leads with county, state, center, office, due):
no COUNT(*) over the county, we fetch one row more than a page to know whether there is a next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, select
from starlette.requests import Request
from starlette.responses import Response

from admin.auth import StaffUser, require_user
from admin.scope import CASE, TICKET, case_clause, county_id, todo_clause
from admin.web import render
from engine.db import utcnow

TABS = (("todo", "待办"), ("done", "已办"), ("overdue", "超期"), ("supervised", "督办"))
FILTERS = (
    ("step", "环节"),
    ("category", "事项类型"),
    ("severity", "等级"),
    ("level", "层级"),
    ("channel", "渠道"),
)
PER_PAGE = 50
OPEN_STATES = ("open", "claimed")


@dataclass(frozen=True)
class InboxRow:
    ticket_id: int
    ticket: str
    step: str
    state: str
    due_at: datetime | None
    colour: str
    code: str
    title: str
    category: str
    severity: str
    level: str
    channel: str
    center: str
    office: str | None
    completed_at: datetime | None
    overdue: bool


def inbox_rows(
    db: Engine,
    user: StaffUser,
    *,
    tab: str,
    filters: dict[str, str],
    page: int,
    now: datetime,
    per_page: int | None = None,
) -> tuple[list[InboxRow], bool]:
    per_page = per_page or PER_PAGE
    county = county_id(db, user.county)
    if county is None:
        return [], False
    query = (
        select(
            TICKET.c.id,
            TICKET.c.name,
            TICKET.c.step,
            TICKET.c.state,
            TICKET.c.due_at,
            TICKET.c.colour,
            TICKET.c.completed_at,
            TICKET.c.center,
            TICKET.c.office,
            CASE.c.code,
            CASE.c.title,
            CASE.c.category,
            CASE.c.severity,
            CASE.c.level,
            CASE.c.channel,
        )
        .join(CASE, CASE.c.id == TICKET.c.case_id)
        .where(TICKET.c.county_id == county)
    )
    query = query.where(_tab_clause(db, user, tab, now))
    for key, _label in FILTERS:
        value = filters.get(key)
        if value:
            column = TICKET.c.step if key == "step" else CASE.c[key]
            query = query.where(column == value)
    if tab == "done":
        query = query.order_by(TICKET.c.completed_at.desc(), TICKET.c.id.desc())
    else:
        # Earliest due first puts the overdue on top; tickets without a deadline go last.
        query = query.order_by(TICKET.c.due_at.is_(None), TICKET.c.due_at, TICKET.c.id)
    query = query.limit(per_page + 1).offset((page - 1) * per_page)
    with db.connect() as conn:
        rows = conn.execute(query).all()
    result = [
        InboxRow(
            ticket_id=r.id,
            ticket=r.name,
            step=r.step,
            state=r.state,
            due_at=r.due_at,
            colour=r.colour,
            code=r.code,
            title=r.title,
            category=r.category,
            severity=r.severity,
            level=r.level,
            channel=r.channel,
            center=r.center,
            office=r.office,
            completed_at=r.completed_at,
            overdue=r.due_at is not None and r.due_at < now and r.state in OPEN_STATES,
        )
        for r in rows[:per_page]
    ]
    return result, len(rows) > per_page


def _tab_clause(db: Engine, user: StaffUser, tab: str, now: datetime) -> Any:
    todo = and_(TICKET.c.state.in_(OPEN_STATES), todo_clause(user))
    if tab == "done":
        return TICKET.c.completed_by == user.username
    if tab == "overdue":
        return and_(todo, TICKET.c.due_at < now)
    if tab == "supervised":
        # 督办: supervision tickets this user works, and supervised cases in their scope.
        return and_(
            TICKET.c.state.in_(OPEN_STATES),
            CASE.c.supervised.is_(True) | (TICKET.c.kind == "supervision"),
            todo_clause(user) | case_clause(db, user),
        )
    return todo


async def inbox(request: Request) -> Response:
    user = require_user(request)
    params = request.query_params
    tab = params.get("tab", "todo")
    if tab not in dict(TABS):
        tab = "todo"
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    filters = {key: params.get(key, "").strip() for key, _ in FILTERS}
    rows, has_next = inbox_rows(
        request.app.state.db, user, tab=tab, filters=filters, page=page, now=utcnow()
    )
    context = {
        "tabs": TABS,
        "tab": tab,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "filters": filters,
        "filter_labels": FILTERS,
        "title": "待办",
    }
    template = "inbox_table.html" if request.headers.get("hx-request") else "inbox.html"
    return render(request, template, context)
