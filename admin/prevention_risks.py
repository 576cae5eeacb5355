"""The risk register's pages (矛盾风险清单, engine/risks.py), beside the 预警 tab.

/prevention/risks                  the open risks of the user's places (含已销号: all), and a
                                   form to put a new one under control (纳入管控)
/prevention/risks/<id>             one risk, its history; change its grade (with a reason) or
                                   close it (销号, with a reason)

Refusals come back on the page in Chinese (422 bad input, 409 refused); a risk outside the
user's places is a 404, the same answer as one that does not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin.auth import StaffUser, require_user
from admin.prevention_pages import service
from admin.scope import county_model
from admin.web import database_form_page, database_page, render
from admin.workflow import refusal
from engine.errors import EngineError, NotFound

NOT_YOURS = "没有这个风险事项，或它不在您的工作范围内。"
FIELDS = ("subject", "place", "category", "grade", "office", "parties")


def _text(submitted: FormData, name: str) -> str:
    value = submitted.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _list_page(request: Request, user: StaffUser, status: int = 200, **extra: Any) -> Response:
    model = county_model(request.app.state.db, user.county)
    show_all = request.query_params.get("show") == "all"
    rows = service(request).risks(user.principal(), open_only=not show_all) if model else []
    context = {
        "title": "矛盾风险清单",
        "tab": "risks",
        "rows": rows,
        "show_all": show_all,
        "colours": list(reversed(model.colours)) if model else [],
        "centers": list(model.centers.values()) if model else [],
        "categories": list(model.categories.values()) if model else [],
        "offices": list(model.offices.values()) if model else [],
        "typed": {},
        **extra,
    }
    return render(request, "prevention_risks.html", context, status=status)


@database_page
def risks_list(request: Request) -> Response:
    return _list_page(request, require_user(request))


@database_form_page
def risk_open(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    typed = {name: _text(submitted, name) for name in FIELDS}
    try:
        item_id = service(request).open_risk(user.principal(), typed)
    except EngineError as exc:
        return _list_page(request, user, 422, alert=refusal(exc), typed=typed)
    return RedirectResponse(f"/prevention/risks/{item_id}?done=opened", status_code=303)


def _item_page(
    request: Request, user: StaffUser, item_id: int, status: int = 200, **extra: Any
) -> Response:
    try:
        item, changes = service(request).risk(user.principal(), item_id)
    except NotFound as exc:
        raise HTTPException(404, NOT_YOURS) from exc
    model = county_model(request.app.state.db, user.county)
    context = {
        "title": f"风险 · {item['subject']}",
        "tab": "risks",
        "item": item,
        "changes": changes,
        "colours": list(reversed(model.colours)) if model else [],
        "office_name": model.offices[item["office"]].name
        if model and item["office"] in model.offices
        else item["office"],
        **extra,
    }
    return render(request, "prevention_risk.html", context, status=status)


@database_page
def risk_page(request: Request) -> Response:
    return _item_page(request, require_user(request), int(request.path_params["item"]))


def _act(request: Request, submitted: FormData, what: str) -> Response:

    user = require_user(request)
    item_id = int(request.path_params["item"])
    reason = _text(submitted, "reason")
    try:
        if what == "grade":
            service(request).regrade_risk(
                user.principal(), item_id, _text(submitted, "grade"), reason
            )
        else:
            service(request).close_risk(user.principal(), item_id, reason)
    except NotFound as exc:
        raise HTTPException(404, NOT_YOURS) from exc
    except EngineError as exc:
        message = refusal(exc)
        status = 409 if "已经销号" in message or "已经是" in message else 422
        return _item_page(request, user, item_id, status, alert=message, reason=reason)
    return RedirectResponse(f"/prevention/risks/{item_id}?done={what}", status_code=303)


@database_form_page
def risk_grade(request: Request, submitted: FormData) -> Response:
    return _act(request, submitted, "grade")


@database_form_page
def risk_close(request: Request, submitted: FormData) -> Response:
    return _act(request, submitted, "close")


def routes() -> list[BaseRoute]:
    return [
        Route("/prevention/risks", risks_list, methods=["GET"]),
        Route("/prevention/risks", risk_open, methods=["POST"]),
        Route("/prevention/risks/{item:id}", risk_page, methods=["GET"]),
        Route("/prevention/risks/{item:id}/grade", risk_grade, methods=["POST"]),
        Route("/prevention/risks/{item:id}/close", risk_close, methods=["POST"]),
    ]
