"""Acting on a ticket: each action opens its step's form; the engine moves the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from admin import row_buttons, stationed
from admin.attachments import uploads
from admin.auth import StaffUser, require_user
from admin.limits import MAX_TEXT, form_of
from admin.scope import CASE, TICKET, county_id, todo_clause
from admin.web import database_page, database_work, render
from admin.workflow import refusal, workflow

NOT_YOURS = "该工单不存在，或不在您的待办范围内。"


def _ticket(request: Request, user: StaffUser) -> Any:
    db = request.app.state.db
    county = county_id(db, user.county)
    with db.connect() as conn:
        row = conn.execute(
            select(
                TICKET,
                CASE.c.code,
                CASE.c.process,
                CASE.c.version_id,
                CASE.c.office.label("case_office"),
            )
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(
                and_(
                    TICKET.c.id == request.path_params["ticket"],
                    TICKET.c.county_id == county,
                    todo_clause(user),
                )
            )
        ).first()
    if row is None:
        raise HTTPException(404, NOT_YOURS)
    return row


def _option(request: Request, user: StaffUser, ticket_id: int) -> Any:
    wanted = request.path_params["action"]
    for option in workflow(request).available_actions(user.principal(), ticket_id):
        if option.key == wanted:
            return option
    raise HTTPException(404, "该操作不存在，或当前不可办理。")


def _form(request: Request, ticket: Any, option: Any) -> forms.Form | None:
    name = getattr(option, "form", None)
    if not name:
        return None
    from admin.case_page import _version_model

    model = _version_model(request.app.state.db, ticket.version_id)
    ref = model.forms.get(name) if model is not None else None
    if ref is None:
        return None
    return forms.load_form(dict(ref.schema), dict(ref.ui or {}), name=ref.name)


def _page(
    request: Request, ticket: Any, option: Any, form: forms.Form | None, **extra: Any
) -> Response:
    action = f"/tickets/{ticket.id}/act/{option.key}"
    context = {
        "ticket": ticket,
        "option": option,
        "action": action,
        "form_html": None,
        "view": form.view(extra.pop("data", None), extra.pop("errors", None), action=action)
        if form
        else None,
        "needs_reason": bool(getattr(option, "requires_reason", False)),
        "choice": _choice(option, form),
        "chosen": extra.pop("chosen", ""),
        "stationed": _stationed(request, ticket, form),
        "reason": extra.pop("reason", ""),
        "title": f"{ticket.name} · {option.name}",
        **extra,
    }
    return render(request, "act.html", context, status=extra.get("status", 200))


def _stationed(request: Request, ticket: Any, form: forms.Form | None) -> list[str]:
    """When the case's office is next in, if it rotates; on a dispatch (a form that names the
    office) every rotating office's next day, so the dispatcher can choose."""
    from admin.case_page import _version_model

    model = _version_model(request.app.state.db, ticket.version_id)
    if model is None:
        return []
    offices = [ticket.case_office, ticket.office]
    if form is not None and "office" in form.schema.get("properties", {}):
        offices += list(model.offices)
    return stationed.notes(model, offices, stationed.now_of(request))


# 下沉 and 分流 need a target the engine reads from the data (`center`, `diversion`); when the
# action's form does not ask for it, the page offers the engine's choices in a select.
CHOICE_FIELDS = {"push_down": ("center", "下沉到"), "divert": ("diversion", "引导至")}


def _choice(option: Any, form: forms.Form | None) -> tuple[str, str, tuple[str, ...]] | None:
    found = CHOICE_FIELDS.get(getattr(option, "effect", ""))
    if found is None:
        return None
    field, label = found
    if form is not None and field in form.schema.get("properties", {}):
        return None
    return field, label, tuple(getattr(option, "choices", ()))


# 中止/延期 need a reason, a duration and an approver: the case page's forms ask for them.
PAUSES = ("suspend", "extend")


def _to_case_page(ticket: Any, option: Any) -> Response:
    return RedirectResponse(f"/cases/{ticket.code}#op-{ticket.id}-{option.effect}", 303)


@database_page
def act_page(request: Request) -> Response:
    user = require_user(request)
    ticket = _ticket(request, user)
    option = _option(request, user, ticket.id)
    if option.effect in PAUSES:
        return _to_case_page(ticket, option)
    return _page(request, ticket, option, _form(request, ticket, option))


def _ticket_option(request: Request, user: StaffUser) -> tuple[Any, Any]:
    ticket = _ticket(request, user)
    return ticket, _option(request, user, ticket.id)


async def act_submit(request: Request) -> Response:
    # The body is read on the event loop; the lookups and the action (one engine transaction)
    # go through database_work, so on PostgreSQL the loop serves others while they wait.
    user = require_user(request)
    ticket, option = await database_work(request, _ticket_option, request, user)
    if option.effect in PAUSES:
        return _to_case_page(ticket, option)
    submitted = await form_of(request)  # uploads closed by the request layer after
    return await database_work(request, _submit, request, user, ticket, option, submitted)


def _submit(
    request: Request, user: StaffUser, ticket: Any, option: Any, submitted: FormData
) -> Response:
    form = _form(request, ticket, option)
    reason = str(submitted.get("_reason", "")).strip()
    rows = row_buttons.applied(form, submitted) if form else None
    if rows is not None:  # add/remove a row with JavaScript off: nothing is stored
        return _page(request, ticket, option, form, data=rows, reason=reason)
    files = uploads(request, user.county)
    data = form.parse_submission(submitted, attachments=files) if form else {}
    if option_needs_reason(option) and not reason:
        return _page(request, ticket, option, form, data=data, alert="请填写理由", status=422)
    if len(reason) > MAX_TEXT:  # the same cap as every other reason (中止, 延期, 恢复)
        alert = f"理由不能超过 {MAX_TEXT} 字（现有 {len(reason)} 字）"
        return _page(request, ticket, option, form, data=data, alert=alert, status=422)
    choice = _choice(option, form)
    chosen = str(submitted.get("_choice", "")).strip()[:MAX_TEXT]
    if choice is not None and not chosen:
        alert = f"请选择{choice[1]}哪里"
        return _page(
            request, ticket, option, form, data=data, alert=alert, reason=reason, status=422
        )
    errors = form.validate(data) if form else []
    if errors:
        return _page(
            request,
            ticket,
            option,
            form,
            data=data,
            errors=errors,
            reason=reason,
            chosen=chosen,
            status=422,
        )
    from engine.errors import ActionRefused, ValidationFailed

    target = {choice[0]: chosen} if choice is not None else {}
    try:
        workflow(request).act(
            user.principal(), ticket.id, option.key, {**data, **target}, reason=reason
        )
    except ValidationFailed as exc:
        problems = [forms.FieldError(e.path, e.message) for e in exc.field_errors]
        return _page(
            request,
            ticket,
            option,
            form,
            data=data,
            errors=problems,
            reason=reason,
            chosen=chosen,
            status=422,
        )
    except ActionRefused as exc:
        return _page(
            request,
            ticket,
            option,
            form,
            data=data,
            alert=refusal(exc),
            reason=reason,
            chosen=chosen,
            status=409,
        )
    files.commit(data)  # the action is saved: its new files move into the county's store
    return RedirectResponse(f"/cases/{ticket.code}?done={ticket.id}", status_code=303)


def option_needs_reason(option: Any) -> bool:
    return bool(getattr(option, "requires_reason", False))
