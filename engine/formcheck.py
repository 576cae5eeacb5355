"""Validating submitted data against a county's form through `forms/` (cached per content)."""

from __future__ import annotations

from typing import Any

from dsl.model import County, FormRef
from engine.errors import ActionRefused, ValidationFailed

# id(ref) -> (ref, form): compiled models are immutable and live as long as the process, so the
# form object is reused instead of hashing its schema on every action; ref is kept alive here.
_FORMS: dict[int, tuple[FormRef, Any]] = {}


def _form(ref: FormRef) -> Any:
    found = _FORMS.get(id(ref))
    if found is not None and found[0] is ref:
        return found[1]
    from forms.form import load_form

    form = load_form(dict(ref.schema), dict(ref.ui) if ref.ui else None, name=ref.name)
    _FORMS[id(ref)] = (ref, form)
    return form


def with_facts(county: County, form_name: str, data: Any, facts: dict[str, Any]) -> Any:
    """Fill the form's own fields for case facts given beside it (an API caller sends channel,
    category, severity and parties as arguments, the form may ask for them too)."""
    ref = county.forms.get(form_name)
    if ref is None or not isinstance(data, dict):
        return data
    properties = ref.schema.get("properties", {})
    kinds = {"string": str, "array": list}
    filled = dict(data)
    for key, value in facts.items():
        wanted = kinds.get(str(properties.get(key, {}).get("type", "")))
        if key not in filled and wanted is not None and isinstance(value, wanted) and value:
            filled[key] = value
    return filled


def validate(county: County, form_name: str | None, data: Any) -> None:
    """Raise ValidationFailed with each field's Chinese message; no form means any object."""
    if not isinstance(data, dict):
        raise ActionRefused("表单数据应为对象")
    if not form_name:
        return
    from engine.diversion import BUILTIN_FORMS

    ref = county.forms.get(form_name) or BUILTIN_FORMS.get(form_name)
    if ref is None:
        raise ActionRefused(f"流程定义缺少表单「{form_name}」")
    problems = _form(ref).validate(data)
    if problems:
        raise ValidationFailed(problems, f"「{ref.name}」填写有误")
