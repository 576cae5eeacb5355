"""The workbench's prevention pages (排查预警): the 排查 and 预警 tabs beside the inbox.

/prevention/screening          the user's screening tasks (their center, role and office)
/prevention/screening/<id>     the checklist form; once recorded, 转为案件 when a dispute was found
/prevention/warnings           预警: the warning work orders of the user's centers and roles
/prevention/warnings/<id>/close  办结 a work order with what was done

Every read goes through the engine's scope clauses (engine.screening.task_clause,
engine.correlation.warning_clause): a task or warning that is not the user's is a 404, the
same answer as one that does not exist. Figures are in admin/prevention_figures.py.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

import forms
from admin.auth import StaffUser, require_user
from admin.scope import county_model
from admin.web import database_form_page, database_page, render
from admin.workflow import refusal
from engine.errors import ActionRefused, EngineError, ValidationFailed
from engine.prevention import Prevention

NOT_YOURS_TASK = "没有这个排查任务，或它不是派给您的。"
NOT_YOURS_WARNING = "没有这条预警，或它不是派给您的。"
MAX_NOTE = 2000


def service(request: Request) -> Any:

    found = getattr(request.app.state, "prevention", None)
    if found is None:
        found = Prevention(request.app.state.db, getattr(request.app.state, "clock", None))
        request.app.state.prevention = found
    return found


def _id(request: Request) -> int:
    value = request.path_params["item"]
    return int(value)


# --- 排查 ------------------------------------------------------------------------------------


@database_page
def screening_list(request: Request) -> Response:
    user = require_user(request)
    model = county_model(request.app.state.db, user.county)
    now = service(request).clock.now()
    show_done = request.query_params.get("show") == "all"
    rows = service(request).tasks(user.principal(), open_only=not show_done)
    names = {k: s.name for k, s in model.screenings.items()} if model else {}
    for row in rows:
        row["overdue"] = row["state"] == "open" and row["due_at"] < now
        row["name"] = names.get(row["screening"], row["screening"])
    return render(
        request,
        "prevention_screening.html",
        {"title": "排查任务", "tab": "screening", "rows": rows, "show_done": show_done},
    )


def _task_or_404(request: Request, user: StaffUser) -> dict[str, Any]:
    try:
        task: dict[str, Any] = service(request).task(user.principal(), _id(request))
    except ActionRefused as exc:
        raise HTTPException(404, NOT_YOURS_TASK) from exc
    return task


def _checklist(model: Any, task: dict[str, Any]) -> forms.Form | None:
    item = model.screenings.get(task["screening"]) if model else None
    ref = model.forms.get(item.form) if item else None
    if ref is None:
        return None
    return forms.load_form(dict(ref.schema), dict(ref.ui or {}), name=ref.name)


def _task_page(
    request: Request, user: StaffUser, task: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    model = county_model(request.app.state.db, user.county)
    form = _checklist(model, task)
    action = f"/prevention/screening/{task['id']}"
    item = model.screenings.get(task["screening"]) if model else None
    context = {
        "title": f"排查 · {item.name if item else task['screening']}",
        "task": task,
        "name": item.name if item else task["screening"],
        "overdue": task["state"] == "open" and task["due_at"] < service(request).clock.now(),
        "view": (
            form.view(extra.pop("data", None), extra.pop("errors", None), action=action)
            if form is not None and task["state"] == "open"
            else None
        ),
        "result_view": (
            form.view(task["result"] or {}, None, action=action)
            if form is not None and task["state"] != "open"
            else None
        ),
        **extra,
    }
    return render(request, "prevention_task.html", context, status=status)


@database_page
def task_page(request: Request) -> Response:
    user = require_user(request)
    return _task_page(request, user, _task_or_404(request, user))


@database_form_page
def task_submit(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    task = _task_or_404(request, user)
    model = county_model(request.app.state.db, user.county)
    form = _checklist(model, task)
    if form is None or task["state"] != "open":
        return _task_page(request, user, task, 409, alert="这个排查任务已经填报过了，不能再填")
    data = form.parse_submission(submitted)
    errors = form.validate(data)
    if errors:
        return _task_page(request, user, task, 422, data=data, errors=errors)
    try:
        service(request).record(user.principal(), task["id"], data)
    except ValidationFailed as exc:
        problems = [forms.FieldError(e.path, e.message) for e in exc.field_errors]
        return _task_page(request, user, task, 422, data=data, errors=problems)
    except EngineError as exc:
        return _task_page(request, user, task, 409, data=data, alert=_refusal(exc))
    return RedirectResponse(f"/prevention/screening/{task['id']}?done=1", status_code=303)


@database_form_page
def task_to_case(request: Request, submitted: FormData) -> Response:
    """One click: the dispute the checklist found is received as a case (channel 排查)."""
    user = require_user(request)
    task = _task_or_404(request, user)
    try:
        view = service(request).found_case(user.principal(), task["id"])
    except ValidationFailed as exc:
        problems = "；".join(f"{e.message}" for e in exc.field_errors)
        alert = f"纠纷情况不完整，无法转为案件：{problems}"
        return _task_page(request, user, task, 422, alert=alert)
    except EngineError as exc:
        return _task_page(request, user, task, 409, alert=_refusal(exc))
    return RedirectResponse(f"/cases/{view.code}", status_code=303)


def _refusal(exc: Exception) -> str:

    return refusal(exc)


# --- 预警 ------------------------------------------------------------------------------------


def _warnings_page(request: Request, user: StaffUser, status: int = 200, **extra: Any) -> Response:
    show_all = request.query_params.get("show") == "all"
    rows = service(request).warnings(user.principal(), open_only=not show_all)
    model = county_model(request.app.state.db, user.county)
    channels = {k: c.name for k, c in model.channels.items()} if model else {}
    for row in rows:
        row["source_words"] = "、".join(
            f"{channels.get(k, k)}×{n}"
            for k, n in sorted(row["sources"].items(), key=lambda kv: (-kv[1], kv[0]))
        )
    context = {"title": "预警", "tab": "warnings", "rows": rows, "show_all": show_all}
    return render(request, "prevention_warnings.html", {**context, **extra}, status=status)


@database_page
def warnings_list(request: Request) -> Response:
    return _warnings_page(request, require_user(request))


@database_form_page
def warning_close(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    raw = submitted.get("note", "")
    note = raw.strip() if isinstance(raw, str) else ""
    warning_id = _id(request)
    if not note:
        return _warnings_page(request, user, 422, alert="请填写处置情况", failed=warning_id)
    if len(note) > MAX_NOTE:
        alert = f"处置情况不能超过 {MAX_NOTE} 字（现有 {len(note)} 字）"
        return _warnings_page(request, user, 422, alert=alert, failed=warning_id, note=note)
    try:
        service(request).close_warning(user.principal(), warning_id, note)
    except EngineError as exc:
        message = _refusal(exc)
        if "没有这条预警" in message or "不是派给您的" in message:
            raise HTTPException(404, NOT_YOURS_WARNING) from exc
        return _warnings_page(request, user, 409, alert=message, failed=warning_id, note=note)
    return RedirectResponse("/prevention/warnings?closed=1", status_code=303)


def routes() -> list[BaseRoute]:
    from admin import prevention_figures, prevention_persons, prevention_risks  # they import this

    return [
        *prevention_risks.routes(),
        *prevention_persons.routes(),  # 重点人员 (i21persons)
        Route("/prevention/screening", screening_list),
        Route("/prevention/screening/{item:id}", task_page, methods=["GET"]),
        Route("/prevention/screening/{item:id}", task_submit, methods=["POST"]),
        Route("/prevention/screening/{item:id}/case", task_to_case, methods=["POST"]),
        Route("/prevention/warnings", warnings_list),
        Route("/prevention/warnings/{item:id}/close", warning_close, methods=["POST"]),
        Route("/prevention/figures", prevention_figures.figures_page),
    ]
