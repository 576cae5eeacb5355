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


# Python's JSON messages, in Chinese (the key is how the message starts).
JSON_MESSAGES = {
    "Expecting property name enclosed in double quotes": "此处应为带英文双引号的属性名",
    "Expecting value": "此处缺少取值",
    "Expecting ',' delimiter": "此处缺少逗号「,」",
    "Expecting ':' delimiter": "此处缺少冒号「:」",
    "Unterminated string starting at": '文字没有结束（缺少右引号「"」）',
    "Invalid control character at": "文字中有控制字符（如换行或制表符），请写成 \\n 或 \\t",
    "Invalid \\escape": "无效的转义符号「\\」",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Extra data": "JSON 已经结束，后面还有多余的内容",
}


def _json_error(text: str, error: json.JSONDecodeError) -> tuple[Token, str]:
    """Where and what, in Chinese: a trailing comma is pointed at and named as such."""
    at = Token("POS", "", line=error.lineno, column=error.colno)
    what = next((zh for en, zh in JSON_MESSAGES.items() if error.msg.startswith(en)), "")
    before = text[: error.pos].rstrip()
    if before.endswith(",") and text[error.pos : error.pos + 1] in ("}", "]"):
        comma = len(before) - 1
        line = text.count("\n", 0, comma) + 1
        at = Token("POS", "", line=line, column=comma - text.rfind("\n", 0, comma))
        what = "最后一项后面多了一个逗号「,」：JSON 不允许末尾逗号，请删去"
    what = what or "格式错误"
    return at, f"不是有效的 JSON（第 {at.line} 行第 {at.column} 列）：{what}"


def _load(ctx: Context, path: str, text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        at, zh = _json_error(text, error)
        ctx.report(at, zh, f"invalid JSON: {error.msg}", path=path)
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
    are skipped: "/order/1" points at "order"). Each key is looked for after the one before
    it, so that "/properties/b/format" points at b's "format", not at the first "format"."""
    keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/")[1:]]
    found, start = -1, 0
    for key in [k for k in keys if not k.isdigit()]:
        index = text.find(json.dumps(key, ensure_ascii=False), start)
        if index < 0:
            break
        found, start = index, index + 1
    if found >= 0:
        line = text.count("\n", 0, found) + 1
        return Token("POS", "", line=line, column=found - text.rfind("\n", 0, found))
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
