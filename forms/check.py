"""The form definition checker (`yidi check` calls check_form_files for every form a county
names): invalid schemas, unknown formats, broken $refs and UI hints that name missing fields,
each reported with its file and JSON pointer, in Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from forms import shapes
from forms.formats import KNOWN_FORMATS
from forms.patterns import PatternProblem, translate
from forms.refs import ReferenceProblem, reference_of
from forms.schema import SchemaDoc, SchemaError
from forms.ui import UI_HINTS_SCHEMA, WIDGETS, generic_path

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_ONE = (
    "items",
    "if",
    "then",
    "else",
    "not",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
WIDGET_KINDS = {
    "textarea": {"string"},
    "text": {"string"},
    "select": {"choice"},
    "radio": {"choice"},
    "checkbox": {"boolean"},
    "checkboxes": {"array"},
}


@dataclass(frozen=True)
class FormProblem:
    file: str
    pointer: str  # JSON pointer into that file ("" for the whole file)
    message: str


def escape(token: str) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(parts: Any) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def subschemas(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in a schema document (not const/enum/default data), with pointer."""
    if not isinstance(node, dict):
        return
    yield pointer, node
    for key in SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                yield from subschemas(sub, f"{pointer}/{key}/{escape(name)}")
    for key in SCHEMA_ONE:
        yield from subschemas(node.get(key), f"{pointer}/{key}")
    for key in SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            for index, sub in enumerate(node[key]):
                yield from subschemas(sub, f"{pointer}/{key}/{index}")


def _meta_problems(schema: dict[str, Any]) -> list[FormProblem]:
    """One problem per place: the 2020-12 metaschema reaches a subschema along several paths
    (its vocabularies, `$dynamicRef`), so the same mistake comes back many times."""
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    problems: dict[str, FormProblem] = {}
    for error in sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path))):
        where = pointer_of(error.absolute_path)
        key = str(error.absolute_path[-1]) if error.absolute_path else "schema"
        shown = json.dumps(error.instance, ensure_ascii=False)[:60]
        message = f"不是有效的 JSON Schema：「{key}」的取值 {shown} 不正确"
        if error.validator == "type" and error.validator_value == ["object", "boolean"]:
            message = f"不是有效的 JSON Schema：「{key}」应为一个 schema（JSON 对象或 true/false）"
        problems.setdefault(where, FormProblem("", where, message))
    return list(problems.values())


# Keywords of earlier drafts that 2020-12 would silently ignore (or read differently): refused
# with what to write instead, so that no rule of a form is inert.
LEGACY_KEYWORDS = {
    "dependencies": "draft-07 的 dependencies 在 2020-12 中无效：值为字段名列表的请改写为 "
    "dependentRequired，值为 schema 的请改写为 dependentSchemas",
    "additionalItems": "draft-07 的 additionalItems 在 2020-12 中无效：请把逐项的 schema 写在 "
    "prefixItems，其余各项写在 items",
    "$recursiveRef": "2019-09 的 $recursiveRef 在 2020-12 中无效：请改用 $dynamicRef",
    "$recursiveAnchor": "2019-09 的 $recursiveAnchor 在 2020-12 中无效：请改用 $dynamicAnchor",
}
DECLARED_DRAFTS = {
    "http://json-schema.org/draft-07/schema": "draft-07",
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
}


def _legacy_problems(schema: dict[str, Any]) -> list[FormProblem]:
    problems = []
    for pointer, node in subschemas(schema):
        declared = node.get("$schema")
        if declared is not None and str(declared).rstrip("#") != DRAFT_2020_12:
            draft = DECLARED_DRAFTS.get(str(declared).rstrip("#"), str(declared)[:80])
            problems.append(
                FormProblem(
                    "",
                    f"{pointer}/$schema",
                    f"表单须使用 JSON Schema 2020-12（{DRAFT_2020_12}），不支持 {draft}："
                    "请改写 $schema，并把 dependencies 改为 dependentRequired/dependentSchemas、"
                    "数组形式的 items 改为 prefixItems",
                )
            )
        for keyword, advice in LEGACY_KEYWORDS.items():
            if keyword in node:
                problems.append(FormProblem("", f"{pointer}/{escape(keyword)}", advice))
        if isinstance(node.get("items"), list):
            problems.append(
                FormProblem(
                    "",
                    f"{pointer}/items",
                    "draft-07 数组形式的 items 在 2020-12 中无效：请改写为 prefixItems",
                )
            )
    return problems


def _pattern_problems(pointer: str, node: dict[str, Any]) -> list[FormProblem]:
    found = []
    if isinstance(node.get("pattern"), str):
        found.append((f"{pointer}/pattern", node["pattern"]))
    if isinstance(node.get("patternProperties"), dict):
        found += [
            (f"{pointer}/patternProperties/{escape(key)}", key) for key in node["patternProperties"]
        ]
    problems = []
    for where, pattern in found:
        try:
            translate(pattern)
        except PatternProblem as problem:
            problems.append(FormProblem("", where, f"正则表达式「{pattern[:60]}」无效：{problem}"))
    return problems


def _node_problems(doc: SchemaDoc, pointer: str, node: dict[str, Any]) -> list[FormProblem]:
    problems = []
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in KNOWN_FORMATS:
        known = "、".join(sorted(KNOWN_FORMATS))
        problems.append(FormProblem("", f"{pointer}/format", f"未知的格式「{fmt}」，可用：{known}"))
    ref = reference_of(node)
    if ref is not None:
        keyword = "$ref" if isinstance(node.get("$ref"), str) else "$dynamicRef"
        try:
            doc.refs.lookup(ref, doc.refs.base_of(node))
        except ReferenceProblem as error:
            problems.append(FormProblem("", f"{pointer}/{keyword}", str(error)))
        else:
            if doc.refs.cycle(node):
                problems.append(FormProblem("", f"{pointer}/{keyword}", f"$ref 循环引用：{ref}"))
    if "x-attachment" in node:
        problems += _attachment_problems(node["x-attachment"], f"{pointer}/x-attachment")
    return problems


def _attachment_problems(value: Any, pointer: str) -> list[FormProblem]:
    if value is True:
        return []
    if not isinstance(value, dict) or set(value) - {"accept", "max_size"}:
        return [
            FormProblem(
                "", pointer, 'x-attachment 应为 true 或 {"accept": [...], "max_size": 字节数}'
            )
        ]
    problems = []
    accept = value.get("accept", ["-/-"])
    if not (
        isinstance(accept, list) and accept and all(isinstance(a, str) and "/" in a for a in accept)
    ):
        problems.append(
            FormProblem(
                "",
                f"{pointer}/accept",
                'accept 应为文件类型列表，例如 ["application/pdf", "image/*"]',
            )
        )
    size = value.get("max_size", 1)
    if not (isinstance(size, int) and not isinstance(size, bool) and size > 0):
        problems.append(FormProblem("", f"{pointer}/max_size", "max_size 应为正整数（字节数）"))
    return problems


def schema_problems(schema: dict[str, Any]) -> list[FormProblem]:
    problems = _legacy_problems(schema) or _meta_problems(schema)
    if problems:
        return problems
    for pointer, node in subschemas(schema):
        problems += _pattern_problems(pointer, node)
    if problems:
        return problems
    try:
        doc = SchemaDoc(schema)
        for pointer, node in subschemas(schema):
            problems += _node_problems(doc, pointer, node)
        if not problems and doc.kind(doc.resolve(schema)) != "object":
            problems.append(FormProblem("", "/type", '表单的顶层必须是 "type": "object"'))
    except SchemaError as error:  # whatever SchemaDoc refuses is a problem of the definition
        problems.append(FormProblem("", "", str(error)))
    return problems


# --- UI hints -----------------------------------------------------------------------------


RECURSIVE = "recursive"


def kind_of(path: str, kinds: dict[str, str]) -> str | None:
    """The kind of a field path, or RECURSIVE when it lies under a recursive definition."""
    if path in kinds:
        return kinds[path]
    parts = path.split("/")
    for end in range(len(parts) - 1, 0, -1):
        if kinds.get("/".join(parts[:end])) == RECURSIVE:
            return RECURSIVE
    return None


def field_kinds(doc: SchemaDoc) -> dict[str, str]:
    """Generic path -> kind of every field the schema can show, conditions and shapes included."""
    found: dict[str, str] = {}

    def visit(node: Any, path: str, refs: frozenset[str]) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in refs:  # recursive: anything below this path may exist, stop walking
                found.setdefault(path, RECURSIVE)
                return
            refs = refs | {ref}
        node = doc.resolve(node)
        if path and path not in found:
            found[path] = shapes.kind(doc, node)  # as rendered: anyOf of titled consts is a choice
        if "x-attachment" in node:
            return
        for name, sub in node.get("properties", {}).items():
            visit(sub, f"{path}/{name}" if path else name, refs)
        for key in ("items", "if", "then", "else"):
            visit(node.get(key), path, refs)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []) if isinstance(node.get(key), list) else []:
                visit(sub, path, refs)
        for sub in node.get("dependentSchemas", {}).values():
            visit(sub, path, refs)

    visit(doc.root, "", frozenset())
    return found


def _hint_schema_problems(ui: dict[str, Any]) -> list[FormProblem]:
    problems = []
    for error in Draft202012Validator(UI_HINTS_SCHEMA).iter_errors(ui):
        where = pointer_of(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            message = f"未知的提示项：{'、'.join(extra)}"
        elif error.validator == "enum":
            message = f"未知的控件「{error.instance}」，可用：{'、'.join(WIDGETS)}"
        elif error.validator == "required":
            message = "分组须有 title 和 fields"
        else:
            message = f"取值 {json.dumps(error.instance, ensure_ascii=False)[:40]} 不正确"
        problems.append(FormProblem("", where, message))
    return problems


def ui_problems(ui: dict[str, Any], schema: dict[str, Any]) -> list[FormProblem]:
    problems = _hint_schema_problems(ui)
    if problems:
        return problems
    kinds = field_kinds(SchemaDoc(schema))
    top = {p for p in kinds if "/" not in p}
    for index, name in enumerate(ui.get("order", [])):
        if name not in top:
            problems.append(FormProblem("", f"/order/{index}", f"表单中没有字段「{name}」"))
    for s_index, section in enumerate(ui.get("sections", [])):
        for index, name in enumerate(section["fields"]):
            if name not in top:
                where = f"/sections/{s_index}/fields/{index}"
                problems.append(FormProblem("", where, f"表单中没有字段「{name}」"))
    for path, hint in ui.get("fields", {}).items():
        problems += _field_hint_problems(path, hint, kinds)
    return problems


def _field_hint_problems(
    path: str, hint: dict[str, Any], kinds: dict[str, str]
) -> list[FormProblem]:
    where = f"/fields/{escape(path)}"
    kind = kind_of(generic_path(path), kinds)
    if kind is None:
        return [FormProblem("", where, f"表单中没有字段「{path}」")]
    if kind == RECURSIVE:
        return []
    problems = []
    widget = hint.get("widget")
    if widget and kind not in WIDGET_KINDS.get(widget, set()):
        problems.append(FormProblem("", f"{where}/widget", f"控件「{widget}」不适用于这个字段"))
    if ("accept" in hint or "max_size" in hint) and kind != "file":
        problems.append(
            FormProblem("", where, "accept 和 max_size 只能用于附件字段（x-attachment）")
        )
    for index, name in enumerate(hint.get("order", [])):
        if kind_of(f"{generic_path(path)}/{name}", kinds) is None:
            problems.append(
                FormProblem("", f"{where}/order/{index}", f"「{path}」中没有字段「{name}」")
            )
    return problems


# --- files --------------------------------------------------------------------------------


def _load(path: Path) -> tuple[dict[str, Any] | None, list[FormProblem]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [FormProblem(str(path), "", "文件不存在")]
    except UnicodeDecodeError:
        return None, [FormProblem(str(path), "", "文件不是 UTF-8 编码")]
    except json.JSONDecodeError as error:
        where = f"JSON 格式错误（第 {error.lineno} 行第 {error.colno} 列）"
        return None, [FormProblem(str(path), "", where)]
    if not isinstance(data, dict):
        return None, [FormProblem(str(path), "", "顶层必须是 JSON 对象")]
    return data, []


def check_form_files(schema_path: Path, ui_path: Path | None = None) -> list[FormProblem]:
    """Every problem of a form's schema file and its UI hints file, with file and pointer."""
    schema, problems = _load(Path(schema_path))
    if schema is None:
        return problems
    problems = [
        FormProblem(str(schema_path), p.pointer, p.message) for p in schema_problems(schema)
    ]
    if ui_path is None:
        return problems
    ui, ui_load = _load(Path(ui_path))
    if ui is None:
        return problems + ui_load
    if problems:  # hints cannot be checked against a broken schema
        return problems
    return [FormProblem(str(ui_path), p.pointer, p.message) for p in ui_problems(ui, schema)]
