"""Citizen pages, no login: online intake (一键受理), progress lookup, evaluation by link.

Progress shows the stage and deadlines only: never notes, staff names or other parties' data.
Lookups are rate-limited per address and per case code at an address, so codes and phone
numbers cannot be enumerated, and nobody's wrong guesses can shut the real citizen out of
their own case; a wrong phone and an unknown code get the same answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, exists, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from admin import row_buttons
from admin.case_page import EVENT, PARTY
from admin.citizen_view import (
    PUBLIC_WORDS,
    STATUS_WORDS,
    case_due,
    contact,
    handler,
    milestone,
    open_steps,
    progress_url,
)
from admin.intake import facts, intake_form, qr_svg
from admin.online_form import hidden_values, public_form
from admin.ratelimit import RateLimiter, client_address
from admin.scope import CASE, county_model
from admin.web import database_form_page, database_page, render
from admin.workflow import refusal, workflow
from dsl.online import online_channel
from engine.registry import County

LOOKUPS_PER_IP = RateLimiter(limit=20, window_seconds=600)
# Per code *at an address*: a limit per code alone let five guesses by anyone lock the citizen
# out of their own case for ten minutes.
LOOKUPS_PER_CODE_AT_ADDRESS = RateLimiter(limit=5, window_seconds=600)
INTAKES_PER_IP = RateLimiter(limit=10, window_seconds=3600)
# Milestones a citizen may see (never who did it or the notes): admin/citizen_view.py.
PUBLIC_EVENTS = tuple(PUBLIC_WORDS)
ONLINE_SYSTEM = "群众自助"


async def home(request: Request) -> Response:
    return render(request, "home.html", {"title": "一地"})


def _counties(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return list(conn.execute(select(County.code, County.name).order_by(County.id)).all())


async def online_choose(request: Request) -> Response:
    counties = _counties(request.app.state.db)
    if len(counties) == 1:
        return RedirectResponse(f"/online/{counties[0].code}", status_code=303)
    return render(request, "online_choose.html", {"counties": counties, "title": "一键受理"})


def _online_model(request: Request) -> Any:
    model = county_model(request.app.state.db, request.path_params["county"])
    if model is None:
        raise HTTPException(404, "没有这个县区，或该县区暂未开通网上受理。")
    if online_channel(model.channels) is None:
        # Recording the case under another system's channel (12345) would misreport it.
        raise HTTPException(
            404,
            f"{model.name}暂不接受网上提交的诉求（没有网上受理渠道），请到矛盾纠纷调处化解中心窗口办理。",
        )
    return model


def _online_channel(model: Any) -> str:
    """The channel an online case is recorded under: the county's declared online channel
    (`_online_model` has refused a county without one, so it is there)."""
    return str(online_channel(model.channels))


def _online_page(request: Request, model: Any, **values: Any) -> Response:
    form = public_form(model)
    online = getattr(model, "online", None)
    action = f"/online/{model.key}"
    data = values.pop("data", None)
    fresh = data is None  # a new form: the schema's defaults are filled in (docs/forms.md)
    properties = form.schema.get("properties", {})
    if data is None and "channel" in properties:
        data = {"channel": _online_channel(model), "parties": [{}]}
    elif data is None and "parties" in properties:
        data = {"parties": [{}]}
    lead = "在线提交您的诉求，无需跑腿。提交后请记下案件编号，凭编号和手机号查询进度。"
    context = {
        "view": form.view(data, values.pop("errors", None), fresh=fresh, action=action),
        "heading": f"{model.name} {online.title if online and online.title else '一键受理'}",
        "lead": online.lead if online and online.lead else lead,
        "submit_label": "提交",
        "title": "一键受理",
        **values,
    }
    return render(request, "form_page.html", context, status=values.get("status", 200))


async def online_page(request: Request) -> Response:
    return _online_page(request, _online_model(request))


@database_form_page
def online_submit(request: Request, submitted: FormData) -> Response:
    model = _online_model(request)
    form = intake_form(model)
    public = public_form(model)
    rows = row_buttons.applied(public, submitted)
    if rows is not None:  # add/remove a row with JavaScript off: nothing is stored
        return _online_page(request, model, data=rows)
    from admin.attachments import uploads  # the attachments module imports the case page

    files = uploads(request, model.key)
    # Only the public fields are read from the post; the others take the server's values.
    data = {**hidden_values(model), **public.parse_submission(submitted, attachments=files)}
    if "channel" in form.schema.get("properties", {}):
        data["channel"] = _online_channel(model)  # online is online, whatever was posted
    errors = form.validate(data)
    if errors:
        return _online_page(request, model, data=data, errors=errors, status=422)
    if not INTAKES_PER_IP.allow(client_address(request)):
        return _online_page(request, model, data=data, alert="提交过于频繁，请稍后再试", status=429)
    from engine.errors import ActionRefused, ValidationFailed

    found = facts(data, model)
    try:
        view = workflow(request).receive(
            ONLINE_SYSTEM,
            model.key,
            channel=_online_channel(model),
            category=found["category"],
            severity=found["severity"],
            location=found["location"],
            parties=found["parties"],
            data=data,
            visits=0,
        )
    except ValidationFailed as exc:
        problems = [forms.FieldError(e.path, e.message) for e in exc.field_errors]
        return _online_page(request, model, data=data, errors=problems, status=422)
    except ActionRefused as exc:
        return _online_page(request, model, data=data, alert=refusal(exc), status=422)
    files.commit(data)  # the case is saved: its files move into the county's store
    link = progress_url(request, view.code)
    context = {"code": view.code, "qr": qr_svg(link), "link": link, "title": "提交成功"}
    return render(request, "online_done.html", context, status=201)


async def progress_page(request: Request) -> Response:
    # The receipt's QR code opens this page with the code filled in; the phone is still asked.
    code = request.query_params.get("code", "").strip().upper()[:40]
    return render(request, "progress.html", {"title": "进度查询", "code": code})


def find_progress(db: Engine, code: str, phone: str) -> dict[str, Any] | None:
    """The public view of a case, when the phone belongs to one of its parties."""
    from admin.case_page import _version_model

    phone_matches = exists().where(PARTY.c.case_id == CASE.c.id, PARTY.c.phone == phone)
    with db.connect() as conn:
        case = conn.execute(select(CASE).where(CASE.c.code == code, phone_matches)).first()
        if case is None:
            return None
        events = conn.execute(
            select(EVENT.c.kind, EVENT.c.at, EVENT.c.after)
            .where(EVENT.c.case_id == case.id, EVENT.c.kind.in_(PUBLIC_EVENTS))
            .order_by(EVENT.c.id)
        ).all()
    model = _version_model(db, case.version_id)
    steps = open_steps(db, model, case.id) if case.status != "closed" else []
    if not steps and case.status != "closed" and case.step:  # between tickets: the case's step
        steps = [{"what": case.step, "who": handler(model, case.center, case.office), "due": None}]
    return {
        "case": case,
        "status": STATUS_WORDS.get(case.status, "办理中"),
        "category": case.category,
        "steps": steps,
        "due": case_due(db, model, case),
        "handler": handler(model, case.center, case.office),
        "contact": contact(model),
        "events": [(e.at, milestone(model, e.kind, e.after)) for e in events],
    }


@database_form_page
def progress_lookup(request: Request, submitted: FormData) -> Response:
    code = str(submitted.get("code", "")).strip().upper()[:40]
    phone = str(submitted.get("phone", "")).strip()[:20]
    context: dict[str, Any] = {"title": "进度查询", "code": code}
    if not code or not phone:
        return render(
            request, "progress.html", {**context, "alert": "请输入案件编号和手机号码"}, 400
        )
    address = client_address(request)
    if not LOOKUPS_PER_IP.allow(address) or not LOOKUPS_PER_CODE_AT_ADDRESS.allow(
        f"{code}\x1f{address}"
    ):
        alert = "查询过于频繁，请 10 分钟后再试"
        return render(request, "progress.html", {**context, "alert": alert}, 429)
    found = find_progress(request.app.state.db, code, phone)
    if found is None:
        alert = "未查到：请核对案件编号和登记时留的手机号码"
        return render(request, "progress.html", {**context, "alert": alert}, 404)
    return render(request, "progress.html", {**context, **found})


# --- evaluation through a one-time link --------------------------------------------------

SCORE = "score"


def _evaluation(request: Request, code: str) -> tuple[tuple[str, ...], forms.Form | None]:
    """The evaluation step's scale and the rest of its form (意见建议…), from the case's
    definition; else the common three grades and no further fields."""
    from admin.case_page import _version_model

    db = request.app.state.db
    with db.connect() as conn:
        row = conn.execute(
            select(CASE.c.version_id, CASE.c.process).where(CASE.c.code == code)
        ).first()
    model = _version_model(db, row.version_id) if row else None
    if model is not None and row is not None:
        for step in model.processes[row.process].steps.values():
            if step.evaluation is not None:
                return tuple(step.evaluation.scale), _rest_of_form(model, step.form)
    return ("满意", "基本满意", "不满意"), None


def _rest_of_form(model: Any, name: str | None) -> forms.Form | None:
    """The step form without its score (the page asks for it as the scale's choices)."""
    ref = model.forms.get(name) if name else None
    if ref is None:
        return None
    schema = {k: v for k, v in dict(ref.schema).items() if k not in ("title", "description")}
    properties = {k: v for k, v in dict(schema.get("properties", {})).items() if k != SCORE}
    if not properties:
        return None
    schema["properties"] = properties
    schema["required"] = [k for k in schema.get("required", []) if k in properties]
    ui = {k: v for k, v in dict(ref.ui or {}).items() if k == "fields"}
    return forms.load_form(schema, ui, name=f"{ref.name}（当事人）")


def _evaluation_context(request: Request) -> dict[str, Any]:
    code = request.path_params["code"]
    scale, rest = _evaluation(request, code)
    return {"code": code, "scale": scale, "rest": rest, "title": "满意度评价"}


@database_page
def evaluate_page(request: Request) -> Response:
    context = _evaluation_context(request)
    state = workflow(request).evaluation_link_state(context["code"], request.path_params["token"])
    if state != "unused":
        # A used link says so (the citizen may open it again from the SMS); an unknown one is
        # answered like any bad link, so case codes cannot be listed through it.
        alert = "该评价链接已使用，感谢您的评价。" if state == "used" else "评价链接无效"
        return render(request, "evaluate.html", {**context, "alert": alert, "spent": True}, 410)
    rest = context["rest"]
    return render(request, "evaluate.html", {**context, "view": rest.view({}) if rest else None})


@database_form_page
def evaluate_submit(request: Request, submitted: FormData) -> Response:
    context = _evaluation_context(request)
    code, token = context["code"], request.path_params["token"]
    score = str(submitted.get(SCORE, ""))
    rest: forms.Form | None = context["rest"]
    data = rest.parse_submission(submitted) if rest else {}
    errors = rest.validate(data) if rest else []
    view = rest.view(data, errors) if rest else None
    if score not in context["scale"] or errors:
        alert = "请选择一项评价" if score not in context["scale"] else "请按提示修改后再提交"
        return render(request, "evaluate.html", {**context, "view": view, "alert": alert}, 422)
    from engine.errors import ActionRefused, NotFound, ValidationFailed

    try:
        workflow(request).evaluate(code, score, by="party", token=token, data=data)
    except (ActionRefused, ValidationFailed) as exc:
        # An unknown code is answered like a bad token: case codes run in sequence, and a
        # different answer would let anyone list the real ones.
        alert = "评价链接无效或已使用" if isinstance(exc, NotFound) else refusal(exc)
        return render(request, "evaluate.html", {**context, "alert": alert, "spent": True}, 410)
    return render(request, "evaluate.html", {**context, "thanks": True, "score": score})
