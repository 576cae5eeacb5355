"""Data tables -> form data: each row names a form field by its title or key (dotted for
nested fields, e.g. ``纠纷发生地.乡镇（街道）``) and gives its value as people write it.

Values are converted by the field's schema type: numbers, 是/否 (yes/no) for booleans,
comma-separated lists, and for a list of objects (parties) one row per item whose pieces are
``标题=值`` pairs or, for the common case, recognised by shape (a mobile number, an ID number,
an option of an enum, else the first text field: the name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TRUE = {"是", "有", "true", "yes", "y", "1", "√"}
FALSE = {"否", "无", "false", "no", "n", "0", "×"}
MOBILE = re.compile(r"^1\d{10}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


class TableError(ValueError):
    """A table row that does not fit the form; the message names the row and the choices."""


def rows_of(datatable: list[list[str]]) -> list[tuple[str, str]]:
    """Two-column table (field | value); a header row 字段|值 or field|value is skipped."""
    rows = []
    for index, row in enumerate(datatable):
        if len(row) < 2:
            raise TableError(f"表格第 {index + 1} 行应有两列：字段 | 值")
        name, value = row[0].strip(), row[1].strip()
        if index == 0 and name in ("字段", "field", "项目", "名称"):
            continue
        rows.append((name, value))
    return rows


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        return _resolve(node, root)
    return schema


def find_field(
    schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> tuple[list[str], Mapping[str, Any]] | None:
    """The key path and schema of the field named by titles or keys, dotted."""
    keys: list[str] = []
    node = _resolve(schema, root)
    for part in path.split("."):
        properties = node.get("properties", {})
        match = next(
            (k for k, v in properties.items() if part in (k, _resolve(v, root).get("title"))),
            None,
        )
        if match is None:
            return None
        keys.append(match)
        node = _resolve(properties[match], root)
    return keys, node


def field_names(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[str]:
    node = _resolve(schema, root)
    return [str(_resolve(v, root).get("title") or k) for k, v in node.get("properties", {}).items()]


def convert(value: str, schema: Mapping[str, Any], root: Mapping[str, Any], label: str) -> Any:
    kind = schema.get("type")
    if kind == "integer" or kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise TableError(f"「{label}」应是数字，却是「{value}」") from None
        return int(number) if kind == "integer" and number.is_integer() else number
    if kind == "boolean":
        lowered = value.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise TableError(f"「{label}」应写 是 或 否，却是「{value}」")
    if kind == "array":
        items = _resolve(schema.get("items", {}), root)
        if items.get("type") == "object":
            return [item(value, items, root, label)]
        return [convert(p.strip(), items, root, label) for p in re.split("[,，、]", value) if p]
    if kind == "object":
        return item(value, schema, root, label)
    return value


def item(
    value: str, schema: Mapping[str, Any], root: Mapping[str, Any], label: str
) -> dict[str, Any]:
    """One object from "张三，申请人，13800001111" or "姓名=张三，电话=13800001111"."""
    properties = {k: _resolve(v, root) for k, v in schema.get("properties", {}).items()}
    found: dict[str, Any] = {}
    for piece in (p.strip() for p in re.split("[,，]", value) if p.strip()):
        if "=" in piece:
            name, _, text = piece.partition("=")
            located = find_field(schema, root, name.strip())
            if located is None:
                raise TableError(f"「{label}」没有字段「{name.strip()}」")
            found[located[0][0]] = convert(text.strip(), located[1], root, name)
            continue
        key = _by_shape(piece, properties, found)
        if key is None:
            raise TableError(f"「{label}」中的「{piece}」对不上任何字段，请写成 字段=值")
        found[key] = convert(piece, properties[key], root, label)
    return found


def _by_shape(piece: str, properties: Mapping[str, Any], taken: Mapping[str, Any]) -> str | None:
    free = {k: v for k, v in properties.items() if k not in taken}
    for key, spec in free.items():
        if piece in spec.get("enum", ()):
            return key
    for key, spec in free.items():
        fmt, title = str(spec.get("format", "")), str(spec.get("title", "")) + key
        if MOBILE.match(piece) and ("mobile" in fmt or "phone" in title or "电话" in title):
            return key
        if ID_NUMBER.match(piece) and ("id" in fmt or "身份证" in title or "id_number" in key):
            return key
    return next((k for k, v in free.items() if v.get("type") == "string" and "enum" not in v), None)


def put(data: dict[str, Any], keys: list[str], value: Any) -> None:
    """Set a nested value; list values for the same field accumulate (one row per party)."""
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    last = keys[-1]
    if isinstance(value, list) and isinstance(node.get(last), list):
        node[last].extend(value)
    else:
        node[last] = value


def form_data(
    rows: list[tuple[str, str]], schema: Mapping[str, Any], form_name: str
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Fill the form from the rows it knows; returns (data, rows it does not know)."""
    data: dict[str, Any] = {}
    unknown = []
    for name, value in rows:
        located = find_field(schema, schema, name)
        if located is None:
            unknown.append((name, value))
            continue
        put(data, located[0], convert(value, located[1], schema, name))
    return data, unknown
