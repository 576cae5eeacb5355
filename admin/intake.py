"""Window intake (一窗受理): the county's intake form, the suggested route, visits, receipt."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from admin import row_buttons
from admin.auth import StaffMembership, StaffUser, require_user
from admin.case_page import visible_case
from admin.limits import form_of
from admin.scope import county_model
from admin.stationed import now_of
from admin.web import database_form_page, database_page, database_work, render
from admin.workflow import refusal, workflow
from forms.integers import parse_int

# The intake form names its own fields; these are the names we recognise for the four facts
# routing needs (English keys as in the seed counties, or the Chinese titles).
FACTS = {
    "channel": ("channel", "渠道", "受理渠道"),
    "category": ("category", "事项类型"),
    "severity": ("severity", "等级", "严重程度"),
    "location": ("location", "发生地", "地点"),
    "parties": ("parties", "当事人"),
    "title": ("title", "标题", "事项"),
}
PARTY_KEYS = {
    "name": ("name", "姓名"),
    "phone": ("phone", "手机号码", "电话"),
    "id_number": ("id_number", "身份证号"),
    "role": ("role", "身份", "类型"),
}


def _pick(data: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in data and data[name] not in (None, ""):
            return data[name]
    return None


def facts(data: dict[str, Any], model: Any = None) -> dict[str, Any]:
    """channel, category, severity, location and parties out of an intake form's data."""
    found = {key: _pick(data, names) for key, names in FACTS.items()}
    found["location"] = _location(found["location"], model)
    parties = found["parties"] if isinstance(found["parties"], list) else []
    found["parties"] = [
        {key: _pick(p, names) for key, names in PARTY_KEYS.items() if _pick(p, names) is not None}
        for p in parties
        if isinstance(p, dict)
    ]
    return found


def _location(value: Any, model: Any) -> Any:
    """A center key: forms may ask for {town, village, address}; the most precise known wins.
    Anything but text where a name belongs is passed on as it is, for `wrong_types`."""
    if not isinstance(value, dict):
        return value
    centers = model.centers if model is not None else {}
    town, village = value.get("town"), value.get("village")
    if not isinstance(town, str) or not isinstance(village, (str, type(None))):
        return value
    for candidate in (f"{town}/{village}", village, town):
        if candidate in centers:
            return candidate
    return town


TEXT_FACTS = {
    "channel": "来源渠道",
    "category": "事项类型",
    "severity": "等级",
    "location": "发生地",
    "center": "受理中心",
    "title": "标题",
}


def wrong_types(found: dict[str, Any]) -> list[tuple[str, str]]:
    """(fact, Chinese message) for each routing fact that is not text where a name belongs
    (`"category": [1]`, `"location": {"town": {}}`): refused before it reaches the engine,
    which looks names up and cannot hash a list."""
    problems = [
        (key, f"「{label}」应为文字")
        for key, label in TEXT_FACTS.items()
        if found.get(key) not in (None, "") and not isinstance(found.get(key), str)
    ]
    for index, party in enumerate(found.get("parties") or []):
        for key, value in party.items():
            if not isinstance(value, str):
                problems.append((f"parties/{index}/{key}", "当事人信息应为文字"))
    return problems


def intake_form(model: Any) -> forms.Form:
    ref = model.forms.get(model.intake_form)
    if ref is None:
        raise HTTPException(404, "该县区没有配置受理表单，暂不能受理：请联系管理员。")
    return forms.load_form(dict(ref.schema), dict(ref.ui or {}), name=ref.name)


def _model_or_404(request: Request, county: str) -> Any:
    model = county_model(request.app.state.db, county)
    if model is None:
        raise HTTPException(404, "该县区尚未发布业务配置，暂不能受理。")
    return model


def route_hint(
    model: Any, category: Any, severity: Any, location: Any, now: datetime | None = None
) -> dict[str, Any]:
    from dsl import routing
    from engine.response import limit_text
    from engine.stationing import next_stationed_text

    if not (category and severity and location):
        return {}
    if location not in model.centers:
        return {"route_problem": f"发生地「{location}」不在本县区的中心列表中"}
    if category not in model.categories or severity not in model.severities:
        return {"route_problem": "事项类型或等级不在本县区配置中"}
    decision = routing.route(model, category, severity, location)
    if decision is None:
        return {"route_problem": "没有匹配的分流规则，也没有兜底窗口：请联系管理员"}
    center = routing.center_at_level(model, location, decision.level)
    return {
        "route": {
            "level": decision.level,
            "office": decision.office,
            "center": center.name if center else "",
            "response_mode": decision.response_mode,
            "response": limit_text(decision.response, decision.response_mode)
            if decision.response
            else "",
            "fallback": decision.route is None,
            # a rotating office (轮驻): when it is next in
            "stationed": next_stationed_text(model, decision.office, now) if now else "",
        }
    }


def _windows(user: StaffUser) -> list[StaffMembership]:
    windows = user.windows
    if not windows:
        raise HTTPException(403, "您没有受理窗口的岗位，不能登记案件。")
    return windows


def _page(request: Request, user: StaffUser, model: Any, **values: Any) -> Response:
    form = intake_form(model)
    data = values.pop("data", None)
    fresh = data is None  # a new form: the schema's defaults are filled in (docs/forms.md)
    if data is None and "channel" in form.schema.get("properties", {}):
        # Walk-ins come by the first channel; one empty party row to start typing into.
        data = {"channel": next(iter(model.channels)), "parties": [{}]}
    errors = values.pop("errors", None)
    view = form.view(data, errors, fresh=fresh, action="/intake")
    found = facts(data or {}, model)
    context = {
        "view": view,
        "heading": "受理登记（一窗受理）",
        "windows": _windows(user),
        "channels": [c for c in model.channels.values() if c.in_person]
        or list(model.channels.values()),
        "visits": values.pop("visits", 1),
        "form_has_channel": "channel" in form.schema.get("properties", {}),
        "submit_label": "登记并生成回执",
        **route_hint(
            model, found["category"], found["severity"], found["location"], now_of(request)
        ),
        **values,
    }
    return render(request, "intake.html", context, status=values.get("status", 200))


@database_page
def intake_page(request: Request) -> Response:
    user = require_user(request)
    model = _model_or_404(request, user.county)
    return _page(request, user, model)


@database_form_page
def route_preview(request: Request, submitted: FormData) -> Response:
    user = require_user(request)
    model = _model_or_404(request, user.county)
    data = intake_form(model).parse_submission(submitted)
    found = facts(data, model)
    hint = route_hint(
        model, found["category"], found["severity"], found["location"], now_of(request)
    )
    return render(request, "route_hint.html", hint)


def _visits(submitted: FormData) -> int:
    found = parse_int(submitted.get("_visits", "1"), 0, 10_000)
    return 1 if found is None else min(99, found)


async def intake_submit(request: Request) -> Response:
    # The body is read on the event loop; the rest (the intake is one engine transaction) goes
    # through database_work, so on PostgreSQL the loop serves others while it waits.
    user = require_user(request)
    model = await database_work(request, _model_or_404, request, user.county)
    form = intake_form(model)
    submitted = await form_of(request)  # uploads closed by the request layer after
    return await database_work(request, _submit, request, user, model, form, submitted)


def _submit(
    request: Request, user: StaffUser, model: Any, form: forms.Form, submitted: FormData
) -> Response:
    visits = _visits(submitted)
    rows = row_buttons.applied(form, submitted)
    if rows is not None:  # add/remove a row with JavaScript off: nothing is stored
        return _page(request, user, model, data=rows, visits=visits)
    from admin.attachments import uploads  # the attachments module imports the case page

    files = uploads(request, user.county)
    data = form.parse_submission(submitted, attachments=files)
    window, _, center = str(submitted.get("_window", "")).partition("|")
    allowed = {(m.window, m.center) for m in _windows(user)}
    if (window, center) not in allowed:
        raise HTTPException(403, "只能在您所在的受理窗口登记。")
    channel = str(data.get("channel") or submitted.get("_channel", ""))
    errors = form.validate(data)
    # A refused registration is a 422, as the online intake and the API answer it.
    if channel not in model.channels:
        return _page(
            request, user, model, data=data, alert="请选择来源渠道", visits=visits, status=422
        )
    if errors:
        return _page(request, user, model, data=data, errors=errors, visits=visits, status=422)
    from engine.errors import ActionRefused, ValidationFailed

    found = facts(data, model)
    try:
        view = workflow(request).receive(
            user.principal(),
            user.county,
            channel=channel,
            window=window,
            category=found["category"],
            severity=found["severity"],
            location=found["location"],
            parties=found["parties"],
            data=data,
            visits=visits,
            center=center,
        )
    except ValidationFailed as exc:
        problems = [forms.FieldError(e.path, e.message) for e in exc.field_errors]
        return _page(request, user, model, data=data, errors=problems, visits=visits, status=422)
    except ActionRefused as exc:
        alert = refusal(exc)
        return _page(request, user, model, data=data, alert=alert, visits=visits, status=422)
    files.commit(data)  # the case is saved: its files move into the county's store
    return RedirectResponse(f"/cases/{view.code}/receipt?new=1", status_code=303)


def qr_svg(code: str) -> Markup:
    """The engine's QR SVG, given a viewBox so CSS can scale it up for print."""
    from engine import qr

    image = qr.svg(code)
    size = re.search(r'width="(\d+)" height="(\d+)"', image)
    if size and "viewBox" not in image:
        box = f'viewBox="0 0 {size.group(1)} {size.group(2)}" '
        image = image.replace("<svg ", "<svg " + box, 1)
    return Markup(image)


@database_page
def receipt(request: Request) -> Response:
    """The printable receipt: the center that received the case, its address and phone, what
    was received (personal data masked: the paper leaves the building), the 办结期限 and a QR
    code that opens the progress page."""
    from admin.case_page import _display, _version_model
    from admin.citizen_view import case_due, center_name, contact, handler, progress_url

    user = require_user(request)
    db = request.app.state.db
    case = visible_case(db, user, request.path_params["code"])
    if case is None:
        raise HTTPException(404, "没有该编号的案件，或该案件不在您的工作范围内。")
    model = _version_model(db, case.version_id)
    context = {
        "case": case,
        "qr": qr_svg(progress_url(request, case.code)),
        "new": "new" in request.query_params,
        "county": model.name if model else "",
        "received_center": center_name(model, case.received_center),
        "handler": handler(model, case.center, case.office),
        "contact": contact(model),
        "due": case_due(db, model, case),
        "received": _display(model, model.intake_form, case.data, False) if model else None,
    }
    return render(request, "receipt.html", {**context, "title": "受理回执"})
