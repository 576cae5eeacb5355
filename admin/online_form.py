"""The public version of a county's intake form (网上受理, declared in its definition).

Derived from the one intake form at run time, never a second copy: the fields the county lists,
in its order, under its public labels and help; the staff form's title and subtitle go. What
the public does not see takes its default on the server: the declared `默认`, else the schema's
`default`, severity the mildest grade, the channel always the online one (set by the caller).
A county without `网上受理` shows its whole intake form, as before.
"""

from __future__ import annotations

import copy
from typing import Any

import forms
from admin.intake import FACTS, intake_form

CHANNEL_KEYS = FACTS["channel"]
SEVERITY_KEYS = FACTS["severity"]


def public_form(model: Any) -> forms.Form:
    online = getattr(model, "online", None)
    if online is None:
        return intake_form(model)
    ref = model.forms[model.intake_form]
    schema = copy.deepcopy(dict(ref.schema))
    ui = copy.deepcopy(dict(ref.ui or {}))
    shown = [f.key for f in online.fields]
    properties = schema.get("properties", {})
    schema["properties"] = {key: properties[key] for key in shown if key in properties}
    schema["required"] = [k for k in schema.get("required", []) if k in schema["properties"]]
    schema["title"] = ""  # the page's heading says what this is (not the form's name)
    schema.pop("description", None)  # 「无差别综合受理窗口登记表」 is the staff's word
    hints = {
        path: hint
        for path, hint in (ui.get("fields") or {}).items()
        if path.split("/")[0] in schema["properties"]
    }
    for item in online.fields:
        hint = dict(hints.get(item.key, {}))
        if item.label:
            hint["label"] = item.label
        if item.help:
            hint["help"] = item.help
        if hint:
            hints[item.key] = hint
    ui["fields"] = hints
    ui["order"] = shown
    sections = [
        {**s, "fields": [f for f in s["fields"] if f in schema["properties"]]}
        for s in ui.get("sections", [])
    ]
    ui["sections"] = [s for s in sections if s["fields"]]
    if not ui["sections"]:
        ui.pop("sections")
    return forms.load_form(schema, ui, name=f"{ref.name}（网上）")


def hidden_values(model: Any) -> dict[str, Any]:
    """The values of the fields the public does not see."""
    online = getattr(model, "online", None)
    if online is None:
        return {}
    properties = dict(model.forms[model.intake_form].schema.get("properties", {}))
    shown = {f.key for f in online.fields}
    values: dict[str, Any] = {}
    for key, spec in properties.items():
        if key in shown or key in CHANNEL_KEYS:
            continue
        if key in online.defaults:
            values[key] = online.defaults[key]
        elif isinstance(spec, dict) and "default" in spec:
            values[key] = copy.deepcopy(spec["default"])
        elif key in SEVERITY_KEYS and model.severities:
            values[key] = next(iter(model.severities))  # the mildest grade
    return values
