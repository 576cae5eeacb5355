"""调解案例库 in the workbench (issue 22.4): search the county's approved cases with counts and
the figure per category and office; put a closed case forward (推荐入库); a reviewer (负责人)
approves it once personal data is gone. Every read is scoped to the user's county (another
county's entry is a 404, like one that does not exist); proposing needs a case the user may
see; the engine checks county, state and personal data again in its own transaction."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin.auth import StaffUser, require_user
from admin.case_page import visible_case
from admin.scope import county_id, county_model
from admin.stationed import now_of
from admin.web import database_form_page, database_page, read_only, render
from engine import case_library
from engine.errors import EngineError, NotFound

NOT_HERE = "没有该案例，或该案例不在您的县区。"
NO_CASE = "没有该编号的案件，或该案件不在您的工作范围内。"


def routes() -> list[BaseRoute]:
    return [
        Route("/library", library_page),
        Route("/library/new", propose_page, methods=["GET"]),
        Route("/library/new", propose_submit, methods=["POST"]),
        Route("/library/{entry:id}", entry_page, methods=["GET"]),
        Route("/library/{entry:id}/approve", approve_submit, methods=["POST"]),
    ]


def _county(request: Request, user: StaffUser) -> int:
    found = county_id(request.app.state.db, user.county)
    if found is None:
        raise HTTPException(404, "本县区还没有发布流程定义")
    return found


def _text(source: Any, key: str, limit: int = 100) -> str:
    value = source.get(key, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _office_names(request: Request, user: StaffUser) -> dict[str, str]:
    model = county_model(request.app.state.db, user.county)
    offices = getattr(model, "offices", {}) if model is not None else {}
    return {key: office.name for key, office in offices.items()}


@database_page
def library_page(request: Request) -> Response:
    user = require_user(request)
    county = _county(request, user)
    words = _text(request.query_params, "q")
    category = _text(request.query_params, "category")
    principal = user.principal()
    with read_only(request.app.state.db).connect() as conn:
        rows = case_library.search(conn, county, words, category)
        total = case_library.count_matching(conn, county, words, category)
        figures = case_library.figures(conn, county)
        waiting = case_library.pending(conn, county) if case_library.is_reviewer(principal) else []
    context = {
        "title": "调解案例库",
        "rows": rows,
        "total": total,
        "words": words,
        "category": category,
        "categories": [key for key, _ in figures["category"]],
        "figures": figures,
        "pending": waiting,
        "office_names": _office_names(request, user),
        "notice": "已推荐入库，待负责人审核。" if request.query_params.get("did") == "new" else "",
    }
    return render(request, "library.html", context)


def _propose_form(
    request: Request, typed: dict[str, str], status: int = 200, problem: str = ""
) -> Response:
    context = {
        "title": "推荐入库",
        "typed": typed,
        "problem": problem,
        "max_title": case_library.MAX_TITLE,
        "max_summary": case_library.MAX_SUMMARY,
    }
    return render(request, "library_new.html", context, status=status)


@database_page
def propose_page(request: Request) -> Response:
    require_user(request)
    typed = {
        "case": _text(request.query_params, "case", 40),
        "title": "",
        "summary": "",
        "tags": "",
    }
    return _propose_form(request, typed)


@database_form_page
def propose_submit(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    typed = {
        "case": _text(submitted, "case", 40),
        "title": _text(submitted, "title", 1000),
        "summary": _text(submitted, "summary", 10_000),
        "tags": _text(submitted, "tags", 1000),
    }
    db = request.app.state.db
    if not typed["case"]:
        return _propose_form(request, typed, 422, "请填写案件编号")
    case = visible_case(db, user, typed["case"])
    if case is None:
        return _propose_form(request, typed, 404, NO_CASE)
    try:
        draft = case_library.draft(typed["title"], typed["summary"], typed["tags"])
    except EngineError as exc:
        return _propose_form(request, typed, 422, str(exc))
    try:
        case_library.propose(db, user.principal(), case.code, draft, now_of(request))
    except NotFound:
        return _propose_form(request, typed, 404, NO_CASE)
    except EngineError as exc:
        return _propose_form(request, typed, 409, str(exc))
    return RedirectResponse("/library?did=new", 303)


def _entry_page(
    request: Request,
    user: StaffUser,
    *,
    status: int = 200,
    problem: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    county = _county(request, user)
    reviewer = case_library.is_reviewer(user.principal())
    with read_only(request.app.state.db).connect() as conn:
        found = case_library.entry(conn, county, request.path_params["entry"])
    # A pending entry may still carry personal data: only reviewers see it.
    if found is None or (found["state"] != case_library.APPROVED and not reviewer):
        raise HTTPException(404, NOT_HERE)
    context = {
        "title": found["title"],
        "entry": found,
        "state_words": case_library.STATE_NAMES,
        "office_names": _office_names(request, user),
        "may_approve": reviewer and found["state"] == case_library.PENDING,
        "typed": typed or {"title": found["title"], "summary": found["summary"],
                           "tags": found["tags"]},
        "problem": problem,
        "notice": "已审核通过，案例已入库。" if request.query_params.get("did") == "ok" else "",
    }  # fmt: skip
    return render(request, "library_entry.html", context, status=status)


@database_page
def entry_page(request: Request) -> Response:
    return _entry_page(request, require_user(request))


@database_form_page
def approve_submit(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    county = _county(request, user)
    entry_id = request.path_params["entry"]
    with read_only(request.app.state.db).connect() as conn:
        found = case_library.entry(conn, county, entry_id)
    if found is None:
        raise HTTPException(404, NOT_HERE)
    typed = {
        "title": _text(submitted, "title", 1000),
        "summary": _text(submitted, "summary", 10_000),
        "tags": _text(submitted, "tags", 1000),
    }
    if not case_library.is_reviewer(user.principal()):
        if found["state"] != case_library.APPROVED:
            raise HTTPException(404, NOT_HERE)  # not even shown to them
        return _entry_page(request, user, status=403, problem="只有「负责人」可以审核案例")
    try:
        draft = case_library.draft(typed["title"], typed["summary"], typed["tags"])
        case_library.approve(
            request.app.state.db, user.principal(), entry_id, draft, now_of(request)
        )
    except NotFound as exc:
        raise HTTPException(404, NOT_HERE) from exc
    except EngineError as exc:  # refused in the engine's transaction: nothing written
        return _entry_page(request, user, status=422, problem=str(exc), typed=typed)
    return RedirectResponse(f"/library/{entry_id}?did=ok", 303)  # fmt: skip
