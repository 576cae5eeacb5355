"""Forms: render any form of the county live from its (draft) schema, fill it with sample
data, submit it and see the validation result; the schema is edited in the file editor with
the same inline checking as the definition."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import forms
from admin.console import store
from admin.console.page import render, require_admin
from admin.console.sample import sample
from admin.limits import form_of
from admin.web import csrf_token

FORM_FILE = re.compile(r"^forms/([^/]+)\.json$")


def form_names(files: dict[str, str]) -> list[str]:
    names = []
    for path in files:
        found = FORM_FILE.fullmatch(path)
        if found and not found.group(1).endswith(".ui"):
            names.append(found.group(1))
    return sorted(names)


async def form_list(request: Request) -> Response:
    user = require_admin(request)
    files = store.working_files(request.app.state.db, user.county)
    rows = [(name, "/console/forms/preview?name=" + quote(name)) for name in form_names(files)]
    return render(request, "console/forms.html", {"title": "表单", "forms": rows})


def _load(files: dict[str, str], name: str) -> tuple[Any, str]:
    """The form from the working copy, or the reason it cannot be shown."""
    if name not in form_names(files):
        raise HTTPException(404, f"本县没有名为“{name[:40]}”的表单。")
    try:
        schema = json.loads(files[f"forms/{name}.json"])
        ui_text = files.get(f"forms/{name}.ui.json")
        ui = json.loads(ui_text) if ui_text else None
        return forms.load_form(schema, ui, name=name), ""
    except json.JSONDecodeError as error:
        return None, f"JSON 格式错误（第 {error.lineno} 行第 {error.colno} 列）：{error.msg}"
    except forms.FormDefinitionError as error:
        return None, f"表单定义有误：{error}"


async def preview(request: Request) -> Response:
    user = require_admin(request)
    name = request.query_params.get("name", "")
    files = store.working_files(request.app.state.db, user.county)
    form, problem = _load(files, name)
    values: dict[str, Any] | None = None  # a fresh form: the schema's defaults filled in
    errors: list[Any] | None = None
    parsed: dict[str, Any] | None = None
    if request.method == "POST" and form is not None:
        submitted = await form_of(request)
        parsed = form.parse_submission(submitted)
        errors = form.validate(parsed)
        values = parsed
    elif request.query_params.get("sample") == "1" and form is not None:
        values = sample(form.schema) or {}
    action = "/console/forms/preview?name=" + quote(name)
    context = {
        "title": f"表单 {name}",
        "name": name,
        "problem": problem,
        "edit_url": "/console/files/edit?path=" + quote(f"forms/{name}.json"),
        "rendered": form.render(values, errors, action=action, csrf_token=csrf_token(request))
        if form is not None
        else None,
        "checked": errors is not None,
        "errors": errors or [],
        "parsed": json.dumps(parsed, ensure_ascii=False, indent=2) if parsed else "",
        "sample_url": action + "&sample=1",
    }
    return render(request, "console/form_preview.html", context, 200)
