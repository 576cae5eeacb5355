"""函件 in the workbench: the searchable list with counts, a letter's page with the step its
reader may take (签收, 回复, 销号), its printable A4 form, and the figures per kind and office.
Issuing is in admin/letter_issue.py. Every read is scoped by `engine.letters.visible`; every
step goes through engine/letters.py, which checks the scope again in its own transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin.auth import StaffUser, require_user
from admin.scope import county_id, county_model
from admin.stationed import now_of
from admin.web import CST, database_form_page, database_page, read_only, render
from engine import letter_queries, letters
from engine.errors import EngineError, NotFound
from engine.letter_queries import STATUS_FILTERS, Search
from engine.response import limit_text
from forms.integers import parse_int

NOT_HERE = "没有该函件，或该函件不在您的工作范围内。"
MAX_PAGE = 10_000


def _county(request: Request, user: StaffUser) -> tuple[Any, int]:
    db = request.app.state.db
    model, cid = county_model(db, user.county), county_id(db, user.county)
    if model is None or cid is None:
        raise HTTPException(404, "本县区还没有发布流程定义")
    return model, cid


def _text(params: Any, key: str, limit: int = 100) -> str:
    value = params.get(key, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


@database_page
def letter_list(request: Request) -> Response:
    user = require_user(request)
    model, cid = _county(request, user)
    params = request.query_params
    query = Search(
        number=_text(params, "number"),
        kind=_text(params, "kind"),
        office=_text(params, "office"),
        status=_text(params, "status") if params.get("status") in STATUS_FILTERS else "",
        todo=params.get("box") == "todo",
    )
    page = parse_int(params.get("page", "1"), 1, MAX_PAGE) or 1
    principal = user.principal()
    with read_only(request.app.state.db).connect() as conn:
        found = letter_queries.search(conn, principal, model, cid, query, now_of(request), page)
    offices = sorted({o for k in model.letters.values() for o in k.addressees})
    context = {
        "title": "函件",
        "found": found,
        "query": query,
        "page": page,
        "kinds": list(model.letters.values()),
        "offices": [(o, model.offices[o].name) for o in offices if o in model.offices],
        "statuses": STATUS_FILTERS,
        "state_words": letters.STATES,
        # 签发函件 here: kinds that need no case (the others are issued from a case page)
        "issuable": any(not k.needs_case for k in letters.issuable(principal, model)),
        "args": {k: v for k, v in params.items() if k != "page"},
    }
    return render(request, "letters.html", context)


def _one(request: Request, user: StaffUser) -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    model, cid = _county(request, user)
    letter_id = request.path_params["letter"]
    with read_only(request.app.state.db).connect() as conn:
        found = letter_queries.one(conn, user.principal(), model, cid, letter_id, now_of(request))
    if found is None:
        raise HTTPException(404, NOT_HERE)
    return found[0], found[1], model


def _page(
    request: Request, user: StaffUser, *, status: int = 200, problem: str = "", typed: str = ""
) -> Response:
    letter, events, model = _one(request, user)
    principal = user.principal()
    context = {
        "title": f"{letter['title']} {letter['number']}",
        "letter": letter,
        "events": events,
        "event_words": letters.EVENT_WORDS,
        "state_words": letters.STATES,
        "to_office": _office(model, letter["to_office"]),
        "to_center": _center(model, letter["to_center"]),
        "issuer_center": _center(model, letter["issuer_center"]),
        "may_receive": letter["state"] in ("issued", "signed")
        and letters.may_receive(principal, letter),
        "may_close": letter["state"] == "answered" and letters.may_close(principal, model, letter),
        "problem": problem,
        "typed": typed,
        "notice": {"issued": "函件已签发。", "signed": "已签收。", "answered": "已回复。",
                   "closed": "已闭环销号。"}.get(request.query_params.get("did", ""), ""),
    }  # fmt: skip
    return render(request, "letter.html", context, status=status)


def _office(model: Any, key: str) -> str:
    office = model.offices.get(key)
    return str(office.name) if office else key


def _center(model: Any, key: str) -> str:
    center = model.centers.get(key)
    return str(center.name) if center else key


@database_page
def letter_page(request: Request) -> Response:
    return _page(request, require_user(request))


@database_page
def letter_print(request: Request) -> Response:
    user = require_user(request)
    letter, _, model = _one(request, user)
    context = {
        "title": f"{letter['title']} {letter['number']}",
        "letter": letter,
        "county": model.name,
        "issuer_center": _center(model, letter["issuer_center"]),
        "paragraphs": letter["body"].splitlines(),
        "issued_on": _date(letter["issued_at"]),
    }
    return render(request, "letter_print.html", context)


def _date(moment: datetime) -> str:
    day = moment.astimezone(CST).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _step(request: Request, submitted: FormData, step: str) -> Response:
    user = require_user(request)
    letter_id = request.path_params["letter"]
    principal, now = user.principal(), now_of(request)
    text = submitted.get("answer", "")
    typed = text if isinstance(text, str) else ""
    db = request.app.state.db
    try:
        if step == "signed":
            letters.sign(db, principal, letter_id, now)
        elif step == "answered":
            letters.answer(db, principal, letter_id, typed, now)
        else:
            letters.close(db, principal, letter_id, now)
    except NotFound as exc:
        raise HTTPException(404, NOT_HERE) from exc
    except EngineError as exc:  # refused in the engine's transaction: nothing written
        status = 422 if "回复内容" in exc.message else 409
        return _page(request, user, status=status, problem=exc.message, typed=typed)
    return RedirectResponse(f"/letters/{letter_id}?did={step}", 303)


@database_form_page
def letter_sign(request: Request, submitted: FormData) -> Response:
    return _step(request, submitted, "signed")


@database_form_page
def letter_answer(request: Request, submitted: FormData) -> Response:
    return _step(request, submitted, "answered")


@database_form_page
def letter_close(request: Request, submitted: FormData) -> Response:
    return _step(request, submitted, "closed")


def _month_start(moment: datetime) -> datetime:
    local = moment.astimezone(CST)
    return datetime(local.year, local.month, 1, tzinfo=CST).astimezone(UTC)


@database_page
def letter_figures(request: Request) -> Response:
    """统计: issued / answered on time / overdue / closed per kind and office, by month."""
    user = require_user(request)
    model, cid = _county(request, user)
    now = now_of(request)
    months = parse_int(request.query_params.get("months", "12"), 1, 120) or 12
    end = now + timedelta(seconds=1)
    start = _month_start(now)
    for _ in range(months - 1):
        start = _month_start(start - timedelta(days=1))
    with read_only(request.app.state.db).connect() as conn:
        rows = letter_queries.figures(conn, user.principal(), model, cid, start, end, now)
    context = {
        "title": "函件统计",
        "rows": rows,
        "months": months,
        "since": _date(start),
        "kinds": {k: v.title for k, v in model.letters.items()},
        "offices": {k: v.name for k, v in model.offices.items()},
    }
    return render(request, "letter_figures.html", context)


def routes() -> list[BaseRoute]:
    from admin import letter_issue  # in here: letter_issue imports this module

    return [
        Route("/letters", letter_list),
        Route("/letters/figures", letter_figures),
        Route("/letters/new", letter_issue.issue_page, methods=["GET"]),
        Route("/letters/new", letter_issue.issue_submit, methods=["POST"]),
        Route("/letters/{letter:id}", letter_page),
        Route("/letters/{letter:id}/print", letter_print),
        Route("/letters/{letter:id}/sign", letter_sign, methods=["POST"]),
        Route("/letters/{letter:id}/answer", letter_answer, methods=["POST"]),
        Route("/letters/{letter:id}/close", letter_close, methods=["POST"]),
    ]


def letters_of_case(db: Any, user: StaffUser, case: Any) -> dict[str, Any]:
    """The case page's 函件 card: the letters about the case this user may read, and whether
    they may issue one from it."""
    model, cid = county_model(db, user.county), county_id(db, user.county)
    if model is None or cid is None or not model.letters:
        return {"case_letters": [], "may_issue_letter": False}
    principal = user.principal()
    with read_only(db).connect() as conn:
        found = letter_queries.of_case(conn, principal, model, cid, int(case.id))
    return {
        "case_letters": found,
        "may_issue_letter": bool(letters.issuable(principal, model)),
        "letter_states": letters.STATES,
    }


def todo_for(db: Any, user: StaffUser, model: Any, now: datetime) -> list[tuple[str, str]]:
    """The workbench's letter notes (link, words): letters this user's offices have to sign
    for or answer; for the issuing roles, their center's overdue letters and those to close."""
    if model is None or not model.letters or user.is_admin:
        return []
    cid = county_id(db, user.county)
    if cid is None:
        return []
    principal, notes = user.principal(), []
    with read_only(db).connect() as conn:
        if any(m.office for m in user.memberships):
            todo = letter_queries.todo_count(conn, principal, model, cid)
            if todo:
                notes.append(("/letters?box=todo", f"有 {todo} 份函件待签收或回复"))
        overdue, to_close = letter_queries.issuer_counts(conn, principal, model, cid, now)
    if overdue:
        notes.append(("/letters?status=overdue", f"本中心发出的函件有 {overdue} 份逾期未回复"))
    if to_close:
        notes.append(("/letters?status=answered", f"有 {to_close} 份函件已回复，待销号"))
    return notes


def kind_rows(model: Any) -> list[dict[str, str]]:
    """The console's table of the county's letter kinds, in the county's words."""

    rows = []
    for kind in model.letters.values():
        calendar = model.calendars.get(kind.calendar or model.default_calendar)
        reply = limit_text(kind.reply_within)
        if kind.reply_within.unit == "workday" and calendar is not None:
            reply += f"（{calendar.name}）"
        rows.append(
            {
                "title": kind.title,
                "number": kind.number_pattern,
                "addressees": "、".join(_office(model, o) for o in kind.addressees),
                "reply": reply,
                "issuers": "、".join(kind.issuers),
                "where": "从案件页签发" if kind.needs_case else "案件页或函件页签发",
            }
        )
    return rows
