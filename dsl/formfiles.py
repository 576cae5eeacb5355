"""Form files of a county: forms/NAME.json (JSON Schema 2020-12) and optional forms/NAME.ui.json.

The forms module owns what a valid form is; its checks run on the texts in memory, because a
county must compile from its stored files alone.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from lark import Token

from dsl.context import Context
from dsl.model import FormRef

FOLDER = "forms/"


def form_names(files: Mapping[str, str]) -> list[str]:
    return sorted(
        path[len(FOLDER) : -len(".json")]
        for path in files
        if path.startswith(FOLDER) and path.endswith(".json") and not path.endswith(".ui.json")
    )


def _load(ctx: Context, path: str, text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        at = Token("POS", "", line=error.lineno, column=error.colno)
        ctx.report(at, f"不是有效的 JSON：{error.msg}", f"invalid JSON: {error.msg}", path=path)
        return None
    except RecursionError:
        ctx.report(None, "JSON 嵌套层数过多", "JSON nested too deeply", path=path)
        return None
    if not isinstance(value, dict):
        ctx.report(
            None, "表单文件的顶层须是 JSON 对象", "a form file must hold a JSON object", path=path
        )
        return None
    return value


def _position(text: str, pointer: str) -> Token:
    """Best effort: where the deepest named key of a JSON pointer is written (list indexes
    are skipped: "/order/1" points at "order")."""
    keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/")[1:]]
    for key in reversed([k for k in keys if not k.isdigit()]):
        index = text.find(json.dumps(key, ensure_ascii=False))
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            return Token("POS", "", line=line, column=index - text.rfind("\n", 0, index))
    return Token("POS", "", line=1, column=1)


@functools.lru_cache(maxsize=512)
def _problems_of_texts(schema_text: str, ui_text: str | None) -> tuple[tuple[bool, str, str], ...]:
    """Checking a schema against the meta-schema is slow: a county recompiles its same texts."""
    schema = json.loads(schema_text)
    ui = json.loads(ui_text) if ui_text is not None else None
    return tuple(_problems(schema, ui))


def _problems(schema: dict[str, Any], ui: dict[str, Any] | None) -> list[tuple[bool, str, str]]:
    """(in the UI file?, pointer, message) from the forms module, or jsonschema alone."""
    try:
        from forms.check import schema_problems, ui_problems
    except ImportError:  # the forms module is optional for the language itself
        from jsonschema import Draft202012Validator, SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            return [(False, "", f"不是有效的 JSON Schema：{error.message}")]
        return []
    found = [(False, p.pointer, p.message) for p in schema_problems(schema)]
    if ui is not None and not found:
        found += [(True, p.pointer, p.message) for p in ui_problems(ui, schema)]
    return found


def load_forms(ctx: Context, files: Mapping[str, str]) -> dict[str, FormRef]:
    forms: dict[str, FormRef] = {}
    for name in form_names(files):
        path, ui_path = f"{FOLDER}{name}.json", f"{FOLDER}{name}.ui.json"
        schema = _load(ctx, path, files[path])
        ui = _load(ctx, ui_path, files[ui_path]) if ui_path in files else None
        if schema is None:  # reported; kept as a name so references to it are not errors too
            forms[name] = FormRef(name, path, {}, None)
            continue
        ui_text = files[ui_path] if ui is not None else None
        try:
            found = _problems_of_texts(files[path], ui_text)
        except Exception as error:  # a bug in a form checker must not crash `yidi check`
            found = ((False, "", f"无法检查此表单：{type(error).__name__}"),)
        for in_ui, pointer, message in found:
            where = ui_path if in_ui else path
            at = _position(files[where], pointer)
            shown = f"{pointer}: " if pointer else ""
            ctx.report(at, f"{shown}{message}", f"{shown}{message}", path=where)
        forms[name] = FormRef(name, path, schema, ui)
    return forms
