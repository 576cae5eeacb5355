"""Acting on a ticket: each action opens its step's form; the engine moves the case.

The page shows, beside the form, what the decider needs (admin/act_facts.py): the case's
facts, its parties masked as the case page masks them, the deadline and the history. Offices,
centers and channels are chosen from the definition (admin/choices.py), never typed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from admin import act_facts, choices, row_buttons, stationed
from admin.attachments import uploads
from admin.auth import StaffUser, require_user
from admin.choices import Choice
from admin.limits import MAX_TEXT, form_of
from admin.scope import CASE, TICKET, county_id, todo_clause
from admin.web import database_page, database_work, render
from admin.workflow import refusal, workflow
from dsl.model import DIVERSION_CHOICE_FIELDS
from engine.diversion import BUILTIN_FORMS

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


class Stale(Exception):
    """An action link to a ticket already handled, or signed for by someone else: answered
    with a page saying by whom and when, with the way to the case (not a bare 404)."""

    def __init__(self, ticket: Any) -> None:
        super().__init__(ticket.id)
        self.ticket = ticket


def _option(request: Request, user: StaffUser, ticket: Any) -> Any:
    wanted = request.path_params["action"]
    for option in workflow(request).available_actions(user.principal(), ticket.id):
        if option.key == wanted:
            return option
    if ticket.state == "open" or ticket.claimed_by == user.username:
        # the ticket is the user's still: this action is not one of it (or not now)
        raise HTTPException(404, "该操作不存在，或当前不可办理。")
    raise Stale(ticket)


@dataclass(frozen=True)
class Setup:
    """The action's form (its choosing field made a select), the choice, and the case."""

    form: forms.Form | None
    choice: Choice | None
    apart: bool  # the form has no such field: the choice is a select of its own
    case: Any


def _setup(request: Request, ticket: Any, option: Any) -> Setup:
    from admin.case_page import _version_model

    db = request.app.state.db
    with db.connect() as conn:
        case = conn.execute(select(CASE).where(CASE.c.id == ticket.case_id)).first()
    model = _version_model(db, ticket.version_id)
    name = getattr(option, "form", None)
    ref = model.forms.get(name) if model is not None and name else None
    ref = ref or (BUILTIN_FORMS.get(name) if name else None)  # the 回告单's 去向回告
    fields = ref.schema.get("properties", {}) if ref is not None else {}
    choice = None
    if model is not None and case is not None:
        if option.effect == "complete" and "office" in fields:
            choice = choices.dispatch_choice(model, case, option)
        else:
            choice = choices.effect_choice(model, case, option)
    if choice is not None and option.effect == "divert":
        # 分流登记 names the channel in its own field (`channel`, 「引导途径」): that field is
        # the select, of the channels this case may go to (the engine reads either name).
        named = next((f for f in DIVERSION_CHOICE_FIELDS if f in fields), choice.field)
        choice = replace(choice, field=named)
    if ref is None:
        return Setup(None, choice, choice is not None, case)
    inside = choice is not None and choice.field in fields
    schema = choices.with_choice(dict(ref.schema), choice) if inside and choice else ref.schema
    form = forms.load_form(dict(schema), dict(ref.ui or {}), name=ref.name)
    return Setup(form, choice, choice is not None and not inside, case)


def _page(
    request: Request, user: StaffUser, ticket: Any, option: Any, setup: Setup, **extra: Any
) -> Response:
    action = f"/tickets/{ticket.id}/act/{option.key}"
    form = setup.form
    data = extra.pop("data", None)
    choice = setup.choice
    context = {
        "ticket": ticket,
        "option": option,
        "action": action,
        "view": form.view(data, extra.pop("errors", None), action=action) if form else None,
        "choice": choice if setup.apart else None,
        "chosen": extra.pop("chosen", "") or (choice.selected if choice else ""),
        "needs_reason": bool(getattr(option, "requires_reason", False)),
        "stationed": _stationed(request, ticket, choice),
        "reason": extra.pop("reason", ""),
        "title": f"{ticket.name} · {option.name}",
        **act_facts.context(request, user, setup.case, ticket),
        **extra,
    }
    return render(request, "act.html", context, status=extra.get("status", 200))


def _stationed(request: Request, ticket: Any, choice: Choice | None) -> list[str]:
    """When the case's office is next in, if it rotates; on a choice of offices (派发, 转办)
    the next day of each rotating office offered, so the dispatcher can choose."""
    from admin.case_page import _version_model

    model = _version_model(request.app.state.db, ticket.version_id)
    if model is None:
        return []
    offices = [ticket.case_office, ticket.office]
    if choice is not None and choice.field == "office":
        offices += [key for key, _ in choice.options]
    return stationed.notes(model, offices, stationed.now_of(request))


# 中止/延期 need a reason, a duration and an approver: the case page's forms ask for them.
PAUSES = ("suspend", "extend")


def _to_case_page(ticket: Any, option: Any) -> Response:
    return RedirectResponse(f"/cases/{ticket.code}#op-{ticket.id}-{option.effect}", 303)


@database_page
def act_page(request: Request) -> Response:
    user = require_user(request)
    ticket = _ticket(request, user)
    try:
        option = _option(request, user, ticket)
    except Stale:
        return act_facts.stale_page(request, user, ticket)
    if option.effect in PAUSES:
        return _to_case_page(ticket, option)
    return _page(request, user, ticket, option, _setup(request, ticket, option))


def _ticket_option(request: Request, user: StaffUser) -> tuple[Any, Any]:
    ticket = _ticket(request, user)
    try:
        return ticket, _option(request, user, ticket)
    except Stale:
        return ticket, None


async def act_submit(request: Request) -> Response:
    # The body is read on the event loop; the lookups and the action (one engine transaction)
    # go through database_work, so on PostgreSQL the loop serves others while they wait.
    user = require_user(request)
    ticket, option = await database_work(request, _ticket_option, request, user)
    if option is None:
        return await database_work(request, act_facts.stale_page, request, user, ticket)
    if option.effect in PAUSES:
        return _to_case_page(ticket, option)
    submitted = await form_of(request)  # uploads closed by the request layer after
    return await database_work(request, _submit, request, user, ticket, option, submitted)


def _chosen(
    request: Request, setup: Setup, submitted: FormData, data: dict[str, Any]
) -> dict[str, Any]:
    """The choice's key: into the data when the form's own field is the select (a typed
    display name, 「书院街道司法所」, read back to the key); else the target the engine reads
    beside the form's data (`center`, `diversion`, `office`), from the select apart."""
    choice = setup.choice
    if choice is None:
        return {}
    from admin.case_page import _version_model

    model = _version_model(request.app.state.db, setup.case.version_id)
    if not setup.apart:
        if data.get(choice.field) not in (None, ""):
            data[choice.field] = choices.read_back(model, setup.case, choice, data[choice.field])
        return {}
    typed = str(submitted.get(choices.APART, "")).strip()[:MAX_TEXT]
    return {choice.field: choices.read_back(model, setup.case, choice, typed)} if typed else {}


def _submit(
    request: Request, user: StaffUser, ticket: Any, option: Any, submitted: FormData
) -> Response:
    setup = _setup(request, ticket, option)
    form = setup.form
    reason = str(submitted.get("_reason", "")).strip()
    rows = row_buttons.applied(form, submitted) if form else None
    if rows is not None:  # add/remove a row with JavaScript off: nothing is stored
        return _page(request, user, ticket, option, setup, data=rows, reason=reason)
    files = uploads(request, user.county)
    data = form.parse_submission(submitted, attachments=files) if form else {}
    target = _chosen(request, setup, submitted, data)

    def again(status: int, **extra: Any) -> Response:
        return _page(
            request,
            user,
            ticket,
            option,
            setup,
            data=data,
            reason=reason,
            chosen=target.get(setup.choice.field, "") if setup.choice else "",
            status=status,
            **extra,
        )

    if option_needs_reason(option) and not reason:
        return again(422, alert="请填写理由")
    if len(reason) > MAX_TEXT:  # the same cap as every other reason (中止, 延期, 恢复)
        return again(422, alert=f"理由不能超过 {MAX_TEXT} 字（现有 {len(reason)} 字）")
    if setup.apart and setup.choice is not None and not target:
        return again(422, alert=f"请选择{setup.choice.label}哪里")
    errors = form.validate(data) if form else []
    if errors:
        return again(422, errors=errors)
    from engine.errors import ActionRefused, ValidationFailed

    try:
        workflow(request).act(
            user.principal(), ticket.id, option.key, {**data, **target}, reason=reason
        )
    except ValidationFailed as exc:
        problems = [forms.FieldError(e.path, e.message) for e in exc.field_errors]
        return again(422, errors=problems)
    except ActionRefused as exc:
        return again(409, alert=refusal(exc))
    files.commit(data)  # the action is saved: its new files move into the county's store
    return RedirectResponse(f"/cases/{ticket.code}?done={ticket.id}", status_code=303)


def option_needs_reason(option: Any) -> bool:
    return bool(getattr(option, "requires_reason", False))
