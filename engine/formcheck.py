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


def validate(county: County, form_name: str | None, data: Any) -> None:
    """Raise ValidationFailed with each field's Chinese message; no form means any object."""
    if not isinstance(data, dict):
        raise ActionRefused("表单数据应为对象")
    if not form_name:
        return
    ref = county.forms.get(form_name)
    if ref is None:
        raise ActionRefused(f"流程定义缺少表单「{form_name}」")
    problems = _form(ref).validate(data)
    if problems:
        raise ValidationFailed(problems, f"「{ref.name}」填写有误")
