"""The case page (/cases/<code>): facts, parties, each step's data, timeline, tickets, actions.

Everything is read through the scope clause first: a case outside the user's scope is a 404,
the same answer as a code that does not exist, so codes cannot be probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Engine, Row, and_, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import forms
from admin.auth import StaffUser, require_user
from admin.letter_pages import letters_of_case
from admin.scope import CASE, TICKET, case_clause, county_id, todo_clause
from admin.vocabulary import action_name, actor_names, timeline
from admin.web import database_page, read_only, render
from engine.tables import CaseParty, Event

PARTY = CaseParty.__table__
EVENT = Event.__table__
OPEN = ("open", "claimed")


def visible_case(db: Engine, user: StaffUser, code: str) -> Row[Any] | None:
    county = county_id(db, user.county)
    if county is None:
        return None
    # Built before the connection is taken: the scope clause reads the county's definition
    # through a connection of its own, and holding one while asking for another can exhaust
    # the pool when many pages run at once (worker threads on PostgreSQL).
    query = select(CASE).where(
        CASE.c.code == code, CASE.c.county_id == county, case_clause(db, user)
    )
    with db.connect() as conn:
        return conn.execute(query).first()


@dataclass(frozen=True)
class StepRecord:
    ticket: str
    step: str
    by: str | None
    at: Any
    action: str | None
    reason: str | None
    body: Markup


def _step_form(model: Any, process: str, step_key: str) -> str | None:
    proc = model.processes.get(process) if model is not None else None
    step = proc.steps.get(step_key) if proc is not None else None
    return step.form if step is not None else None


def _display(
    model: Any,
    form_name: str | None,
    data: dict[str, Any],
    reveal: bool,
    code: str = "",
    omit: tuple[str, ...] = (),
) -> Markup:
    """Submitted data through its form's read-only view (sensitive fields masked); `omit`:
    top-level fields shown elsewhere on the page, left out of the form and the data."""
    ref = model.forms.get(form_name) if model is not None and form_name else None
    data = {key: value for key, value in data.items() if key not in omit}
    if ref is not None:
        schema = dict(ref.schema)
        if omit:
            fields = schema.get("properties", {})
            schema["properties"] = {k: v for k, v in fields.items() if k not in omit}
            schema["required"] = [k for k in schema.get("required", []) if k not in omit]
        form = forms.load_form(schema, dict(ref.ui or {}), name=ref.name)
        files = f"/cases/{code}/files/{{sha256}}" if code else ""
        return form.display(data, reveal_sensitive=reveal, download_url=files)
    items = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(key, value) for key, value in data.items()
    )
    return Markup('<dl class="facts">{}</dl>').format(items)


def _version_model(db: Engine, version_id: int) -> Any:
    try:
        from engine import versions  # type: ignore[attr-defined,unused-ignore]

        return versions.county_for_version(db, version_id)
    except Exception:  # no compiled definition to read forms from: show plain key/values
        return None


def uncovered_dues(events: Sequence[Row[Any]]) -> set[tuple[int | None, datetime]]:
    """(ticket id or None for the case, due time) of each deadline the engine computed across
    a year no holiday source covered (engine.flow.mark_uncovered): marked while it stands."""
    found: set[tuple[int | None, datetime]] = set()
    for event in events:
        if event.kind == "due_uncovered" and isinstance(event.after, dict):
            deadline = event.after.get("deadline")
            if isinstance(deadline, str):
                found.add((event.ticket_id, datetime.fromisoformat(deadline)))
    return found


PARTY_FIELDS = ("parties", "当事人")  # the intake form's names for its parties (admin/intake.py)


def case_context(db: Engine, user: StaffUser, case: Row[Any]) -> dict[str, Any]:
    with db.connect() as conn:
        parties = conn.execute(
            select(PARTY).where(PARTY.c.case_id == case.id).order_by(PARTY.c.id)
        ).all()
        tickets = conn.execute(
            select(TICKET).where(TICKET.c.case_id == case.id).order_by(TICKET.c.id)
        ).all()
        mine = (
            conn.execute(
                select(TICKET.c.id).where(
                    and_(TICKET.c.case_id == case.id, TICKET.c.state.in_(OPEN), todo_clause(user))
                )
            )
            .scalars()
            .all()
        )
        events = conn.execute(
            select(EVENT).where(EVENT.c.case_id == case.id).order_by(EVENT.c.id)
        ).all()
    # Personal data is shown to whoever works the case now or received it; others see masks.
    reveal = bool(mine) or case.received_by == user.username or user.is_admin
    model = _version_model(db, case.version_id)
    records = [
        StepRecord(
            t.name,
            t.step,
            t.completed_by,
            t.completed_at,
            action_name(model, case.process, t.step, t.action) or t.action,
            t.reason,
            _display(
                model, _step_form(model, case.process, t.step), t.data or {}, reveal, case.code
            ),
        )
        for t in tickets
        if t.state in ("completed", "returned") and (t.data or t.action)
    ]
    from admin import case_supervision, ticket_ops  # in here: both import this module

    actors = {r.by for r in records if r.by} | {e.actor for e in events if e.actor}
    ops, names = ticket_ops.for_case(db, model, case, list(tickets), user, set(mine), actors)
    return {
        # 督办: the case's 督办单 and, for a supervisor in scope, the form (i20super)
        **case_supervision.context(db, user, case, model),
        "case": case,
        "parties": parties,
        "ops": ops,
        "names": actor_names(names),
        "units": ticket_ops.UNITS,
        "reveal": reveal,
        "open_tickets": [t for t in tickets if t.state in OPEN],
        # The party's evaluation link is issued by whoever holds the evaluation ticket.
        "can_invite_evaluation": any(
            t.kind == "evaluation" and t.id in mine for t in tickets if t.state in OPEN
        ),
        "my_tickets": set(mine),
        # 登记再次来访: the window staff meet the citizen who comes again
        "can_register_visit": bool(user.windows) or user.is_admin,
        "records": records,
        "events": events,
        "event_labels": timeline(model, case.process, events),
        "uncovered_dues": uncovered_dues(events),
        # The parties have their own table above: the intake's copy of them is not repeated.
        "intake": _display(
            model,
            model.intake_form if model else None,
            case.data,
            reveal,
            case.code,
            omit=PARTY_FIELDS,
        )
        if case.data
        else None,
        "title": case.code,
        # the routed level in the county's words (镇 -> 乡镇（街道）级)
        "level_name": model.levels[case.level].name
        if model is not None and case.level in model.levels
        else case.level,
        **case_letters(db, user, case),  # 函件 about this case (admin/letter_pages.py)
    }


def case_letters(db: Engine, user: StaffUser, case: Row[Any]) -> dict[str, Any]:

    return letters_of_case(db, user, case)


@database_page
def case_page(request: Request) -> Response:
    user = require_user(request)
    case = visible_case(read_only(request.app.state.db), user, request.path_params["code"])
    if case is None:
        raise HTTPException(404, "没有该编号的案件，或该案件不在您的工作范围内。")
    return render_case(request, user, case)


def render_case(
    request: Request,
    user: StaffUser,
    case: Row[Any],
    *,
    status: int = 200,
    problem: dict[str, Any] | None = None,
) -> Response:
    """The case page; `problem`: a refused ticket operation to show next to its form (the
    case is read again, so the page shows the state the refusal left, not a stale one)."""
    from admin.ticket_ops import DONE

    db = read_only(request.app.state.db)  # the page only reads (autocommit on PostgreSQL)
    if problem is not None:
        case = visible_case(db, user, case.code) or case
    context = case_context(db, user, case)
    context["actions"] = _actions(request, user, context["my_tickets"])
    context["problem"] = problem
    context["notice"] = DONE.get(request.query_params.get("did", "")) if problem is None else None
    return render(request, "case.html", context, status=status)


def _actions(request: Request, user: StaffUser, ticket_ids: set[int]) -> dict[int, list[Any]]:
    """What the user may do on each of their open tickets (computed by the engine)."""
    if not ticket_ids:
        return {}
    from admin.workflow import workflow

    engine = workflow(request)
    principal = user.principal()
    return {tid: list(engine.available_actions(principal, tid)) for tid in sorted(ticket_ids)}


@database_page
def evaluation_link(request: Request) -> Response:
    """Issue the party's one-time evaluation link (shown once, to send by SMS or print)."""
    user = require_user(request)
    case = visible_case(request.app.state.db, user, request.path_params["code"])
    if case is None:
        raise HTTPException(404, "没有该编号的案件，或该案件不在您的工作范围内。")
    from admin.workflow import refusal, workflow
    from engine.errors import ActionRefused

    try:
        token = workflow(request).evaluation_token(case.code)
    except ActionRefused as exc:
        raise HTTPException(409, refusal(exc)) from exc
    link = str(request.url_for("evaluate_page", code=case.code, token=token))
    return render(
        request, "evaluation_link.html", {"case": case, "link": link, "title": "评价链接"}
    )
