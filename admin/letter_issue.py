"""签发函件: the issue form, from a case page (`?case=CODE`) or on its own (kinds whose body
names no case, such as a 风险预警函). First the kind (a link per kind the user may issue),
then the addressee among the kind's offices where they are stationed, the issuing center
when the user may issue at several, and the reason ({事由} in the body)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.auth import StaffUser, require_user
from admin.case_page import visible_case
from admin.letter_pages import _county
from admin.stationed import now_of
from admin.web import database_form_page, database_page, read_only, render
from engine import letters
from engine.errors import EngineError, NotFound

NO_CASE = "没有该编号的案件，或该案件不在您的工作范围内。"


def _case(request: Request, user: StaffUser, code: str) -> Any:
    if not code:
        return None
    case = visible_case(read_only(request.app.state.db), user, code)
    if case is None:  # the same answer as a code that does not exist: codes cannot be probed
        raise HTTPException(404, NO_CASE)
    return case


def _form(
    request: Request,
    user: StaffUser,
    code: str,
    kind_key: str,
    *,
    status: int = 200,
    problem: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    model, _ = _county(request, user)
    case = _case(request, user, code)
    principal = user.principal()
    kinds = [k for k in letters.issuable(principal, model) if case is not None or not k.needs_case]
    if not kinds:
        more = "" if case else "（需从案件页签发的函件除外）"
        raise HTTPException(403, "您的角色不能签发函件" + more)
    kind = next((k for k in kinds if k.key == kind_key), None)
    if kind is None and len(kinds) == 1:
        kind = kinds[0]
    pairs = letters.addressees(model, kind) if kind else []
    default = f"{case.center}|{case.office}" if case is not None and case.office else ""
    centers = letters.issuer_centers(principal, model, kind) if kind else []
    context = {
        "title": "签发函件",
        "case": case,
        "kinds": kinds,
        "kind": kind,
        "choices": [
            (f"{c}|{o}", f"{model.centers[c].name} · {model.offices[o].name}") for c, o in pairs
        ],
        "centers": [(c, model.centers[c].name) for c in centers],
        "typed": typed or {"to": default},
        "problem": problem,
        "max_reason": letters.MAX_REASON,
    }  # fmt: skip
    return render(request, "letter_new.html", context, status=status)


@database_page
def issue_page(request: Request) -> Response:
    user = require_user(request)
    params = request.query_params
    return _form(request, user, params.get("case", ""), params.get("kind", ""))


def _field(submitted: FormData, key: str) -> str:
    value = submitted.get(key, "")
    return value.strip() if isinstance(value, str) else ""


@database_form_page
def issue_submit(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    typed = {k: _field(submitted, k) for k in ("case", "kind", "to", "center", "reason")}
    case = _case(request, user, typed["case"])
    to_center, _, to_office = typed["to"].partition("|")
    if not to_center or not to_office:
        return _form(
            request, user, typed["case"], typed["kind"], status=422, problem="请选择收件单位",
            typed=typed,
        )  # fmt: skip
    request_ = letters.Issue(
        kind=typed["kind"],
        to_center=to_center,
        to_office=to_office,
        reason=typed["reason"],
        case_id=int(case.id) if case is not None else None,
        issuer_center=typed["center"],
    )
    try:
        letter_id = letters.issue(request.app.state.db, user.principal(), request_, now_of(request))
    except NotFound as exc:
        raise HTTPException(404, NO_CASE) from exc
    except EngineError as exc:  # refused in the engine's transaction: nothing written
        return _form(
            request, user, typed["case"], typed["kind"], status=422, problem=exc.message,
            typed=typed,
        )  # fmt: skip
    return RedirectResponse(f"/letters/{letter_id}?did=issued", 303)
