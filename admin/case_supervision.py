"""督办 from the case page: a supervisor issues a 督办单 to an office (POST
/cases/<code>/supervise), and the page lists the case's 督办单 with their replies.

The form is shown only to a supervisor whose scope covers the case (the county's `督办` block:
a declared role at a center of the declared level, that center's cases and below); the engine
checks the scope again in its transaction (`Engine.supervise`), so a forged POST from anyone
else is refused with nothing written. The office replies from its inbox (the 督办 tab) with
回复督办 and a reply text, like any other action. Answers like the other forms beside it: a
redirect back on success; the page with the error next to the form otherwise (422 bad input,
409 refused; 200 to htmx).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Row
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.auth import StaffUser, require_user
from admin.case_page import render_case, visible_case
from admin.web import database_form_page
from admin.workflow import refusal, workflow
from engine import supervision
from engine.errors import EngineError, NotFound
from forms.integers import parse_int

NOT_HERE = "没有该编号的案件，或该案件不在您的工作范围内。"
DONE = "已开具督办单：被督办单位在其待办的「督办」中回复。"


def context(db: Engine, user: StaffUser, case: Row[Any], model: Any) -> dict[str, Any]:
    """What the case page needs for its 督办 card: the case's 督办单 records, and for a
    supervisor in scope the offices a new one may target and the default reply time."""

    with db.connect() as conn:
        notices = supervision.notices(conn, int(case.id))
    offices = getattr(model, "offices", {})
    values: dict[str, Any] = {
        "notices": notices,
        "supervise": None,
        "office_names": {key: office.name for key, office in offices.items()},
    }
    duty = getattr(model, "supervision", None)
    if duty is None or case.status == "closed":
        return values
    if supervision.supervisor_of(user.principal(), model, case.center) is None:
        return values
    targets = supervision.targets(model, {"center": case.center, "office": case.office})
    default = supervision.default_reply(duty, dict(case._mapping))
    values["supervise"] = {
        "offices": [(key, offices[key].name) for key in targets],
        "default": f"{default.amount} 个工作日" if default and default.unit == "workday" else "",
        "max_days": supervision.MAX_DAYS,
        "max_reason": supervision.MAX_REASON,
    }
    return values


@database_form_page
def supervise(request: Request, submitted: FormData) -> Response:

    user = require_user(request)
    case = visible_case(request.app.state.db, user, request.path_params["code"])
    if case is None:  # the same answer as a code that does not exist: codes cannot be probed
        raise HTTPException(404, NOT_HERE)
    office = _text(submitted, "office")
    reason = _text(submitted, "reason")
    days_text = _text(submitted, "days")
    typed = {"office": office, "reason": reason, "days": days_text}
    status, message = 422, ""
    days = parse_int(days_text, 1, supervision.MAX_DAYS) if days_text else None
    if days_text and days is None:
        message = f"回复期限应为 1 到 {supervision.MAX_DAYS} 之间的整数（工作日）"
    elif not office:
        message = "请选择被督办单位"
    elif not reason:
        message = "请填写督办事由"
    elif len(reason) > supervision.MAX_REASON:
        message = f"督办事由不能超过 {supervision.MAX_REASON} 字（现有 {len(reason)} 字）"
    else:
        try:
            workflow(request).supervise(
                user.principal(), case.code, office=office, reason=reason, days=days
            )
        except NotFound as exc:  # left the user's scope since the page was read
            raise HTTPException(404, NOT_HERE) from exc
        except EngineError as exc:  # refused in the engine's transaction: nothing written
            status, message = 409, refusal(exc)
    if not message:
        return RedirectResponse(f"/cases/{case.code}?did=supervise#supervision", 303)
    problem = {"ticket": None, "op": "supervise", "message": message, "typed": typed}
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps 2xx answers only; the error is in the page it swaps in
    return render_case(request, user, case, status=status, problem=problem)


def _text(submitted: FormData, key: str) -> str:
    raw = submitted.get(key, "")
    return raw.strip() if isinstance(raw, str) else ""
