"""The inbox (待办): open tickets in the user's scope, overdue first, with filters and paging.

One indexed query per page (ix_ticket_inbox: county, state, center, office, role, due):
no COUNT(*) over the county, we fetch one row more than a page to know whether there is a next.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import (
    Engine,
    Integer,
    and_,
    bindparam,
    literal_column,
    select,
    true,
    union,
    union_all,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from admin import letter_pages, stationed
from admin.auth import StaffUser, require_user
from admin.inbox_choices import Options, category_family, center_levels, filter_options
from admin.limits import MAX_PAGE
from admin.scope import CASE, TICKET, case_clause, county_id, county_model, todo_clause
from admin.web import csrf_token, database_page, env, page_for, read_only
from engine import driver
from engine.db import utcnow
from forms.integers import parse_int

TABS = (("todo", "待办"), ("done", "已办"), ("overdue", "超期"), ("supervised", "督办"))
FILTERS = (
    ("step", "环节"),
    ("category", "事项类型"),
    ("severity", "等级"),
    ("level", "承办层级"),  # the case's routed level; a line shows where its 单 is
    ("channel", "渠道"),
)
# Lines a page: 20 unless the user picks 50 or 100 (每页). Twenty is what the provincial
# platforms' lists show, and each line costs about as much as the rest of the page: the first
# page of a backlog answers in about half the time of a 50-line one (docs/workbench.md).
PER_PAGE = 20
PAGE_SIZES = (20, 50, 100)
_PAGE_SIZE_TEXT = {str(n) for n in PAGE_SIZES}
OPEN_STATES = ("open", "claimed")


class InboxRow(NamedTuple):
    """One line of the inbox; fields in the order of COLUMNS, so rows map positionally.

    A tuple, not a dataclass: lines are built 50 a page and are the key of row_html's cache,
    and a tuple's construction, hash and comparison run in C."""

    ticket_id: int
    ticket: str
    step: str
    state: str
    due_at: datetime | None
    colour: str
    completed_at: datetime | None
    center: str
    code: str
    title: str
    category: str
    severity: str
    level: str  # the level of the ticket's center, in the county's words (not the case's)
    returned: str | None = None  # the reason the case was sent back (退回) to this step
    overdue: bool = False


_row: Any = InboxRow  # built positionally from COLUMNS (mypy cannot count a Row)
# Only what a line shows (and the state, for 已超期): office and channel are filters, not shown.
COLUMNS = (
    TICKET.c.id,
    TICKET.c.name,
    TICKET.c.step,
    TICKET.c.state,
    TICKET.c.due_at,
    TICKET.c.colour,
    TICKET.c.completed_at,
    TICKET.c.center,
    CASE.c.code,
    CASE.c.title,
    CASE.c.category,
    CASE.c.severity,
    CASE.c.level,
    TICKET.c.returned_reason,
)
# Lines remembered by content: a handler reloads the same first page all day, and an office's
# lines are the same for each of its staff. Bounded (about 15 MB at most).
ROW_CACHE = 10_000
# Built statements by shape (memberships, tab, which filters): building a union of scans costs
# more than running it, so each shape is built once and run with fresh parameters.
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


class InboxPage(NamedTuple):
    """One page of a tab: its lines' HTML, how many, whether there is a next page, and the
    last line (the 下一页 link's cursor)."""

    lines: Markup
    shown: int
    has_next: bool
    last: InboxRow | None


def inbox_page(
    db: Engine,
    user: StaffUser,
    *,
    tab: str,
    filters: dict[str, str],
    page: int,
    now: datetime,
    per_page: int | None = None,
    after: Cursor | None = None,
    model: Any = None,
) -> InboxPage:
    """One page of a tab. `after` (the last line of the previous page, from the 下一页 link)
    pages the todo and overdue tabs by keyset: each scan starts right after it, so page 200
    costs what page 1 does; without it (or on the other tabs) the page number is an OFFSET."""
    per_page = per_page or PER_PAGE
    county = county_id(db, user.county)
    if county is None:
        return InboxPage(Markup(""), 0, False, None)
    # the county's definition, for each line's level (the page passes the one it read)
    model = model if model is not None else county_model(db, user.county)
    levels = center_levels(model)
    used = {key: value for key, value in filters.items() if value and key in dict(FILTERS)}
    params: dict[str, Any] = {f"f_{key}": value for key, value in used.items()}
    fanout = _category_params(model, used, params)
    params.update(county=county, now=now, lim=per_page + 1, off=(page - 1) * per_page)
    params["enough"] = params["lim"] + params["off"]
    if tab in ("todo", "overdue") and user.memberships:
        return _due_page(db, user, tab, used, params, per_page, after, now, levels, fanout)
    query = _generic_statement(db, user, tab, tuple(sorted(used)), now, fanout)
    with db.connect() as conn:
        found = list(conn.execute(query, params).all())
    rows = [
        _row(*_leveled(r, levels), r[4] is not None and r[4] < now and r[3] in OPEN_STATES)
        for r in found[:per_page]
    ]
    # Each line is Markup already: str.join, not Markup.join (which escapes every item).
    lines = Markup("".join([row_html(r, tab == "done") for r in rows]))
    return InboxPage(lines, len(rows), len(found) > per_page, rows[-1] if rows else None)


def _due_page(
    db: Engine,
    user: StaffUser,
    tab: str,
    used: dict[str, str],
    params: dict[str, Any],
    per_page: int,
    after: Cursor | None,
    now: datetime,
    levels: dict[str, str],
    fanout: int = 1,
) -> InboxPage:
    """The todo and overdue tabs: a prebuilt statement of _STATEMENTS, compiled once and run
    on the driver's cursor without SQLAlchemy's per-execution work. Lines are remembered by
    the row as the database returned it, so a line seen before costs one dictionary lookup:
    no time parsing, no line object, no template."""
    start = "none" if after is None else ("undated" if after[0] is None else "dated")
    if after is not None:
        params.update(off=0, enough=params["lim"], a_due=after[0], a_id=after[1])
    shape = (user.memberships, tab, tuple(sorted(used)), start, fanout)
    if shape not in _STATEMENTS:
        _STATEMENTS[shape] = _due_statement(user, tab, tuple(sorted(used)), start, fanout)
    query = _STATEMENTS[shape]
    if query is None:  # an undated cursor on a tab of dated tickets only: nothing after
        return InboxPage(Markup(""), 0, False, None)
    with read_only(db).connect() as conn:
        found = driver.raw_rows(conn, query, params)
        stored_now = driver.stored_time(conn.dialect, now)
    # Every line of these tabs is open (their scans read open and claimed tickets only).
    page = [(_leveled(r, levels), r[4] is not None and r[4] < stored_now) for r in found[:per_page]]
    lines = "".join([_due_line(raw, overdue) for raw, overdue in page])
    last = _from_raw(*page[-1]) if page else None
    return InboxPage(Markup(lines), len(page), len(found) > per_page, last)


LEVEL_AT = 12  # COLUMNS' index of the level, replaced by the ticket center's level
CENTER_AT = 7  # and of the ticket's center


def _leveled(row: Any, levels: dict[str, str]) -> tuple[Any, ...]:
    center = row[CENTER_AT]
    return (*row[:LEVEL_AT], levels.get(center, row[LEVEL_AT]), *row[LEVEL_AT + 1 :])


def _from_raw(raw: Any, overdue: bool) -> InboxRow:
    """A line from a row of driver.raw_rows (times as the database returned them)."""
    due, completed = driver.read_time(raw[4]), driver.read_time(raw[6])
    line: InboxRow = _row(*raw[:4], due, raw[5], completed, *raw[7:], overdue)
    return line


@lru_cache(maxsize=ROW_CACHE)
def _due_line(raw: Any, overdue: bool) -> str:
    """An open line's HTML by its raw row (a tuple of str, int and None on SQLite)."""
    return str(row_html(_from_raw(raw, overdue), False))


Cursor = tuple[datetime | None, int]  # (due time, ticket id) of the previous page's last line
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,19}|n)-(\d{1,10})")


def cursor_text(row: InboxRow) -> str:
    """The 下一页 link's `after`: the line's due time in microseconds since 1970, and its id."""
    if row.due_at is None:
        return f"n-{row.ticket_id}"
    return f"{(row.due_at - EPOCH) // timedelta(microseconds=1)}-{row.ticket_id}"


def parse_cursor(text: str) -> Cursor | None:
    """`after` from a URL; None (page by number instead) when it is not one of ours."""
    found = _CURSOR.fullmatch(text)
    if found is None:
        return None
    due, ticket = found.groups()
    try:
        when = None if due == "n" else EPOCH + timedelta(microseconds=int(due))
    except OverflowError:
        return None
    return when, int(ticket)


@lru_cache(maxsize=ROW_CACHE)
def row_html(row: InboxRow, done: bool) -> Markup:
    """One line's HTML (templates/inbox_row.html); a pure function of the line's fields."""
    html: Markup = env.get_template("inbox_row.html").module.row(row, done)  # type: ignore[attr-defined]
    return html


def _category_params(model: Any, used: dict[str, str], params: dict[str, Any]) -> int:
    """The 事项类型 filter matches the chosen category and its sub-categories (婚姻家庭 finds
    离婚纠纷 too): one bound parameter per category of the family, f_category_0, _1, ...
    Separate parameters, not an expanding IN list, so the prebuilt statements run on the
    driver's cursor; a statement is built per family size (a county has a handful)."""
    if "category" not in used:
        return 1
    family = category_family(model, params.pop("f_category"))
    params.update({f"f_category_{i}": key for i, key in enumerate(family)})
    return len(family)


def _filtered(query: Any, keys: tuple[str, ...], fanout: int = 1) -> Any:
    for key in keys:
        if key == "category":
            family: list[Any] = [bindparam(f"f_category_{i}") for i in range(fanout)]
            query = query.where(CASE.c.category.in_(family))
            continue
        column = TICKET.c.step if key == "step" else CASE.c[key]
        query = query.where(column == bindparam(f"f_{key}"))
    return query


def _page(query: Any) -> Any:
    return query.limit(bindparam("lim", type_=Integer)).offset(bindparam("off", type_=Integer))


def _base() -> Any:
    return (
        select(*COLUMNS)
        .join(CASE, CASE.c.id == TICKET.c.case_id)
        .where(TICKET.c.county_id == bindparam("county"))
    )


def _generic_statement(
    db: Engine, user: StaffUser, tab: str, keys: tuple[str, ...], now: datetime, fanout: int = 1
) -> Any:
    query = _filtered(_base().where(_tab_clause(db, user, tab, now)), keys, fanout)
    if tab == "done":
        query = query.order_by(TICKET.c.completed_at.desc(), TICKET.c.id.desc())
    else:
        query = query.order_by(TICKET.c.due_at.is_(None), TICKET.c.due_at, TICKET.c.id)
    return _page(query)


def _work_scopes(user: StaffUser) -> list[tuple[str, str | None, str]]:
    """(center, office, role) of the tickets the user may work, each once, as
    engine.scope.may_work decides: an office member also works the center-level tickets of
    their role (a ticket with no office), so those are scanned too."""
    scopes: dict[tuple[str, str | None, str], None] = {}
    for m in user.memberships:
        scopes[(m.center, m.office or None, m.role)] = None
        if m.office:
            scopes[(m.center, None, m.role)] = None
    return list(scopes)


def _due_statement(
    user: StaffUser, tab: str, keys: tuple[str, ...], start: str = "none", fanout: int = 1
) -> Any:
    """Open tickets by due time, as a union of index-ordered scans cut at `enough` each.

    One scan per (center, office, role) the user works and state, each an equality prefix of
    ix_ticket_inbox (county, state, center, office, role) read in due-time order: the database
    never sorts a whole town's backlog. Tickets without a due time come from their own scan
    and go last.
    """
    scans = []
    for center, office, role in _work_scopes(user):
        for state in OPEN_STATES:
            for dated in (True, False) if tab == "todo" else (True,):
                scan = select(TICKET.c.id.label("tid"), TICKET.c.due_at.label("due"))
                if set(keys) - {"step"}:  # the case is read in the scan only to filter on it
                    scan = scan.join(CASE, CASE.c.id == TICKET.c.case_id)
                scan = scan.where(
                    TICKET.c.county_id == bindparam("county"),
                    TICKET.c.state == state,
                    TICKET.c.center == center,
                    TICKET.c.office == office if office else TICKET.c.office.is_(None),
                    TICKET.c.role == role,
                )
                if dated and start == "undated":
                    continue  # the cursor is past every dated ticket (they come first)
                if dated:
                    scan = scan.where(TICKET.c.due_at.is_not(None))
                    if start == "dated":
                        a_due: Any = bindparam("a_due")
                        a_id = bindparam("a_id", type_=Integer)
                        scan = scan.where(
                            TICKET.c.due_at >= a_due,  # the index range; the rest filters
                            (TICKET.c.due_at > a_due) | (TICKET.c.id > a_id),
                        )
                    if tab == "overdue":
                        scan = scan.where(TICKET.c.due_at < bindparam("now"))
                    scan = scan.order_by(TICKET.c.due_at, TICKET.c.id)
                else:
                    scan = scan.where(TICKET.c.due_at.is_(None)).order_by(TICKET.c.id)
                    if start == "undated":
                        scan = scan.where(TICKET.c.id > bindparam("a_id", type_=Integer))
                limited = _filtered(scan, keys, fanout).limit(bindparam("enough", type_=Integer))
                scans.append(limited.subquery())
    if not scans:
        return None
    ranked = union_all(*[select(scan.c.tid, scan.c.due) for scan in scans]).subquery("ranked")
    query = _base().join(ranked, ranked.c.tid == TICKET.c.id)
    return _page(query.order_by(ranked.c.due.is_(None), ranked.c.due, TICKET.c.id))


def _tab_clause(db: Engine, user: StaffUser, tab: str, now: datetime) -> Any:
    todo = and_(TICKET.c.state.in_(OPEN_STATES), todo_clause(user))
    if tab == "done":
        return TICKET.c.completed_by == user.username
    if tab == "overdue":
        return and_(todo, TICKET.c.due_at < now)
    if tab == "supervised":
        # 督办: supervision tickets this user works, and supervised cases in their scope. The
        # candidates come from the two partial indexes of migration 0009 (there are few of
        # either), so the scope test runs on a handful of rows, not on the county's backlog.
        return and_(
            TICKET.c.id.in_(_supervised_candidates()),
            todo_clause(user) | case_clause(db, user),
        )
    return todo


def _supervised_candidates() -> Any:
    """Ids of open supervision tickets and of open tickets of supervised cases. The partial
    indexes' conditions are written as literals: a bound parameter would hide from SQLite
    that the query's condition is the index's."""
    supervision: Any = literal_column("'supervision'")
    tickets = select(TICKET.c.id).where(
        TICKET.c.county_id == bindparam("county"),
        TICKET.c.kind == supervision,
        TICKET.c.state.in_(OPEN_STATES),
    )
    of_cases = (
        select(TICKET.c.id)
        .join(CASE, CASE.c.id == TICKET.c.case_id)
        .where(
            CASE.c.county_id == bindparam("county"),
            CASE.c.supervised == true(),
            TICKET.c.state.in_(OPEN_STATES),
        )
    )
    return union(tickets, of_cases)


@database_page
def inbox(request: Request) -> Response:
    user = require_user(request)
    params = request.query_params
    tab = params.get("tab", "todo")
    if tab not in dict(TABS):
        tab = "todo"
    page = parse_int(params.get("page", "1"), 1, MAX_PAGE) or 1
    filters = {key: params.get(key, "").strip() for key, _ in FILTERS}
    per = _page_size(params.get("per", ""))
    after = parse_cursor(params.get("after", "")) if page > 1 else None
    model = county_model(request.app.state.db, user.county)  # read once for the whole page
    found = inbox_page(
        request.app.state.db,
        user,
        tab=tab,
        filters=filters,
        page=page,
        now=utcnow(),
        per_page=per,
        after=after,
        model=model,
    )
    keyset = tab in ("todo", "overdue") and found.last is not None
    context = {
        "tab": tab,
        "rows": found.shown,
        "row_lines": found.lines,
        "page": page,
        "has_next": found.has_next,
        "next_after": cursor_text(found.last) if keyset and found.has_next and found.last else "",
        "filters": filters,
        # in the pager's links only when it is not the default, so they stay short
        "per": per if per != PER_PAGE else None,
        "stationed": _stationed(request, user, model),
        "letters_todo": _letters_todo(request, user, model),  # 函件 to sign or answer
    }
    table = env.get_template("inbox_table.html").render(context)
    if request.headers.get("hx-request"):
        return HTMLResponse(table)
    options = filter_options(model)
    before, after_table = _shell(
        user, csrf_token(request), tab, per, tuple(filters.items()), options
    )
    return HTMLResponse(before + table + after_table)


def _letters_todo(request: Request, user: StaffUser, model: Any) -> list[tuple[str, str]]:
    return letter_pages.todo_for(request.app.state.db, user, model, stationed.now_of(request))


def _stationed(request: Request, user: StaffUser, model: Any) -> list[str]:
    """When the user's rotating offices (轮驻) are next in; nothing to read for the others."""
    offices = [m.office for m in user.memberships if m.office]
    if not offices:
        return []
    return stationed.notes(model, offices, stationed.now_of(request))


def _page_size(text: str) -> int:
    """每页: one of PAGE_SIZES, else the default."""
    return int(text) if text in _PAGE_SIZE_TEXT else PER_PAGE


# The page around the table (header, tabs, filter form) is a function of who asks, their
# session's CSRF token, the tab, the page size and the filters, and rendering it cost as much
# as the lines: it is rendered once per such key, split where the table goes, and kept.
# Keyed by the user and their token, a shell is never served to another session.
SHELL_CACHE = 4096
_TABLE_SLOT = Markup("<!--inbox-table-->")


@lru_cache(maxsize=SHELL_CACHE)
def _shell(
    user: StaffUser,
    token: str,
    tab: str,
    per: int,
    filters: tuple[tuple[str, str], ...],
    options: Options,
) -> tuple[str, str]:
    context = {
        "options": dict(options),
        "tabs": TABS,
        "tab": tab,
        "filters": dict(filters),
        "filter_labels": FILTERS,
        "page_sizes": PAGE_SIZES,
        "per": per,
        "title": "待办",
        "table": _TABLE_SLOT,
    }
    before, after = page_for("inbox.html", user, token, "/inbox", context).split(_TABLE_SLOT, 1)
    return before, after
