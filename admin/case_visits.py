"""登记再次来访 from the case page: a citizen came in person again about a case already received.

The count feeds the headline shares (最多跑一次, 零跑), so it is one POST through the engine
(`Engine.record_visit`, one transaction, which checks the scope again). Anyone who may open the
case page may record a visit, on any status: the citizen came, whoever met them records it.
Answers like the ticket operations beside it: a redirect back to the case page on success; the
page with the error next to the form otherwise (422 bad input, 409 refused; 200 to htmx).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.auth import require_user
from admin.case_page import render_case, visible_case
from admin.web import database_form_page
from engine.visits import MAX_NOTE

NOT_HERE = "没有该编号的案件，或该案件不在您的工作范围内。"


@database_form_page
def record_visit(request: Request, submitted: FormData) -> Response:
    from admin.workflow import refusal, workflow
    from engine.errors import EngineError, NotFound

    user = require_user(request)
    case = visible_case(request.app.state.db, user, request.path_params["code"])
    if case is None:  # the same answer as a code that does not exist: codes cannot be probed
        raise HTTPException(404, NOT_HERE)
    raw = submitted.get("note", "")
    note = raw.strip() if isinstance(raw, str) else ""
    status, message = 422, ""
    if len(note) > MAX_NOTE:
        message = f"来访说明不能超过 {MAX_NOTE} 字（现有 {len(note)} 字）"
    else:
        try:
            workflow(request).record_visit(user.principal(), case.code, note=note)
        except NotFound as exc:  # left the user's scope since the page was read
            raise HTTPException(404, NOT_HERE) from exc
        except EngineError as exc:  # refused in the engine's transaction: nothing written
            status, message = 409, refusal(exc)
    if not message:
        return RedirectResponse(f"/cases/{case.code}?did=visit#visits", 303)
    problem = {"ticket": None, "op": "visit", "message": message, "typed": {"note": note}}
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps 2xx answers only; the error is in the page it swaps in
    return render_case(request, user, case, status=status, problem=problem)
