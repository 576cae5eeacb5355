"""HTML form strings -> typed JSON, following the schema (and only the schema: submitted names
that are not fields of the form as it stands, conditions included, are ignored).

Input names are field paths: "parties/0/name". Values that cannot be converted (letters in a
number field) are kept as typed so that validation reports them and the form shows them again.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from forms import shapes
from forms.integers import MAX_ROWS, foreign_digit, full_width_to_ascii, parse_int
from forms.schema import REF_MARK, Schema, SchemaDoc

LOCAL_OFFSET = "+08:00"  # China Standard Time: what a date-time input without zone means
MAX_NUMBER_TEXT = 40
_INT = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_LOCAL_DT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", re.ASCII)
_LOCAL_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?", re.ASCII)
TRUE_WORDS = frozenset({"true", "on", "1", "yes", "是"})
MAX_NAME_DEPTH = 24
LEAF = ""  # key under which a raw node keeps its submitted values
NULL = object()  # "null was chosen" (None means "nothing was entered": the key is left out)

Raw = dict[str, Any]
# Turns an uploaded file (or a kept reference) into an attachment reference dict, or None.
FileReader = Callable[[Schema, list[Any], Raw, Any], dict[str, Any] | None]


def pairs(submitted: Any) -> Iterable[tuple[str, Any]]:
    """(name, value) pairs of a multidict (Starlette FormData, werkzeug) or a plain dict."""
    if hasattr(submitted, "multi_items"):
        return list(submitted.multi_items())
    if hasattr(submitted, "getlist"):
        return [(k, v) for k in submitted for v in submitted.getlist(k)]
    result: list[tuple[str, Any]] = []
    for key, value in dict(submitted).items():
        for item in value if isinstance(value, list) else [value]:
            result.append((key, item))
    return result


def raw_tree(submitted: Any) -> Raw:
    tree: Raw = {}
    for name, value in pairs(submitted):
        parts = str(name).split("/")
        if len(parts) > MAX_NAME_DEPTH:
            continue  # no form nests this deep: a forged name, not a field
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
        node.setdefault(LEAF, []).append(value)
    return tree


def leaf(raw: Any) -> list[Any]:
    return list(raw.get(LEAF, [])) if isinstance(raw, dict) else []


def first_text(raw: Any) -> str:
    texts = [v for v in leaf(raw) if isinstance(v, str)]
    return texts[0] if texts else ""


class Parser:
    def __init__(self, doc: SchemaDoc, read_file: FileReader, previous: dict[str, Any]) -> None:
        self.doc = doc
        self.read_file = read_file
        self.previous = previous
        self.open_refs: list[str | None] = []

    def parse(self, submitted: Any) -> dict[str, Any]:
        result = self.object(self.doc.root, raw_tree(submitted), self.previous)
        return result if isinstance(result, dict) else {}

    def value(self, node: Schema, raw: Any, previous: Any) -> Any:
        node = shapes.unwrap(self.doc, self.doc.resolve(node))
        if node.get("readOnly"):
            # Never trust the browser with a read-only field: keep what the server had.
            return previous if previous is not None else node.get("default")
        kind = shapes.kind(self.doc, node)
        if kind == "null":
            return None  # words only: nothing to read
        if kind == "object":
            return self.object(node, raw, previous)
        if kind == "array":
            return self.array(node, raw, previous)
        if kind == "file":
            return self.read_file(node, leaf(raw), raw if isinstance(raw, dict) else {}, previous)
        if kind == "boolean":
            return any(str(v).strip().lower() in TRUE_WORDS for v in leaf(raw))
        if kind == "choice" and "const" in node and "enum" not in node:
            return node["const"]  # a shape's discriminator: fixed, whatever is sent
        if kind == "choice":
            return self.choice(node, first_text(raw).strip())
        value = self.scalar(node, kind, first_text(raw))
        if value is None and LEAF in (raw or {}) and shapes.nullable(node):
            return NULL  # a nullable field sent empty: null, as the schema allows
        return value

    def object(self, node: Schema, raw: Any, previous: Any) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            raw = {}
        before = previous if isinstance(previous, dict) else {}
        shape_text = first_text(raw.get("_shape"))
        shape = parse_int(shape_text, 0, MAX_ROWS)
        data: dict[str, Any] = {}
        resolved = self.doc.resolve(node)
        keyed = shapes.has_extras(resolved)
        # Conditions depend on the values: read, re-evaluate, until the field set settles.
        for _ in range(4):
            view = shapes.object_view(self.doc, node, data, shape)
            fresh: dict[str, Any] = {}
            for name, sub in view.properties.items():
                if name not in raw and not self._always_present(sub, name in view.required):
                    continue
                self.open_refs.append(sub.get(REF_MARK))
                value = self.value(sub, raw.get(name), before.get(name))
                self.open_refs.pop()
                if value is NULL:
                    fresh[name] = None
                elif value is not None and not (value == {} and name not in view.required):
                    fresh[name] = value
            if keyed:
                fresh.update(self.extras(resolved, raw, before, view))
            if fresh == data:
                break
            data = fresh
        return data

    def extras(self, node: Schema, raw: Raw, before: dict[str, Any], view: Any) -> dict[str, Any]:
        """The key/value rows of an object that takes keys of the person's choosing; a row
        without a key, or naming a declared field, is not read."""
        rows = raw.get(shapes.EXTRA)
        found: dict[str, Any] = {}
        if not isinstance(rows, dict):
            return found
        numbered = sorted(
            (int(k), v) for k, v in rows.items() if parse_int(k, 0, MAX_ROWS) is not None
        )
        for _index, row in numbered:
            key = first_text(row.get("key")).strip() if isinstance(row, dict) else ""
            if not key or key in view.properties or key in found:
                continue
            schema = shapes.value_schema(self.doc, node, key)
            value = self.value(schema, row.get("value"), before.get(key))
            if value is NULL:
                found[key] = None
            elif value is not None:
                found[key] = value
        return found

    def _always_present(self, node: Schema, required: bool) -> bool:
        # An unticked checkbox submits nothing, yet it means "no"; a const is fixed; a
        # required group just made visible by a condition still has its fields to report.
        resolved = self.doc.resolve(node)
        kind = self.doc.kind(resolved)
        if resolved.get("readOnly"):
            return True  # value() keeps the server's copy (or the default)
        fixed = kind == "choice" and "const" in resolved and "enum" not in resolved
        ref = node.get(REF_MARK)
        if ref is not None and ref in self.open_refs:  # recursive: required forever
            required = False
        ticks = (
            kind == "array"
            and not shapes.prefix(resolved)
            and shapes.kind(self.doc, self.doc.resolve(resolved.get("items", {}))) == "choice"
        )
        return kind == "boolean" or fixed or ticks or (required and kind == "object")

    def array(self, node: Schema, raw: Any, previous: Any) -> list[Any] | None:
        items = self.doc.resolve(node.get("items", {}))
        fixed = shapes.prefix(node)
        if not fixed and shapes.kind(self.doc, items) == "choice":  # ticks: none is []
            chosen = [self.choice(items, str(v).strip()) for v in leaf(raw)]
            return [None if c is NULL else c for c in chosen if c is not None]
        if not isinstance(raw, dict):
            return None
        before = previous if isinstance(previous, list) else []
        rows = sorted((int(k), v) for k, v in raw.items() if parse_int(k, 0, MAX_ROWS) is not None)
        result: list[Any] = []
        for index, row in rows:
            schema = shapes.item_schema(self.doc, node, index)
            if schema is None:
                continue  # beyond a closed tuple: not a field of the form
            old = before[index] if index < len(before) else None
            value = self.value(schema, row, old)
            if value is None and shapes.kind(self.doc, schema) == "object":
                value = {}
            if value is NULL or (value is None and index < len(fixed)):
                result.append(None)  # a position of a tuple: left empty, yet it holds its place
            elif value is not None:
                result.append(value)
        if fixed:
            while result and result[-1] is None:
                result.pop()
            if all(v is None or v is False for v in result):
                return None  # a tuple nobody filled in is left out, not stored as [null, false]
        return result

    def choice(self, node: Schema, text: str) -> Any:
        if text == "":
            return None
        for value in shapes.values(self.doc, node):
            if text == shapes.option_text(value):
                return NULL if value is None else value
        return text  # not an option: validation says so, the form shows it again

    def scalar(self, node: Schema, kind: str, text: str) -> Any:
        text = text.strip()
        if text == "":
            return None
        if kind in ("integer", "number"):
            # Full-width ０-９ from a Chinese input method are digits; 「²」, 「٣」 are not (kept
            # as typed, so validation refuses them in Chinese: docs/workbench.md, Security).
            text = full_width_to_ascii(text)
        # Beyond MAX_NUMBER_TEXT characters a number stays text, which validation refuses in
        # Chinese (int() refuses more than 4,300 digits; float() turns them into infinity,
        # which no JSON column stores).
        if kind == "integer" and len(text) <= MAX_NUMBER_TEXT and _INT.fullmatch(text):
            return int(text)
        if kind == "number" and len(text) <= MAX_NUMBER_TEXT and _NUMBER.fullmatch(text):
            number = float(text)
            if not math.isfinite(number):
                return text
            return int(number) if number.is_integer() and "." not in text else number
        fmt = node.get("format")
        if fmt and foreign_digit(text) is None:
            # Full-width digits and letters from a Chinese input method -> ASCII; NFKC would
            # also turn 「²」 into 2, which is not a digit by our rule (kept, then refused).
            text = unicodedata.normalize("NFKC", text)
        if fmt == "date-time" and _LOCAL_DT.fullmatch(text):
            seconds = "" if text.count(":") == 2 else ":00"
            return text[:10] + "T" + text[11:] + seconds + LOCAL_OFFSET
        if fmt == "time" and _LOCAL_TIME.fullmatch(text):
            return text + ("" if text.count(":") == 2 else ":00") + LOCAL_OFFSET
        if fmt == "cn-id-number":
            return text.upper()
        return text


def apply_action(data: dict[str, Any], action: str, doc: SchemaDoc) -> dict[str, Any]:
    """The no-JavaScript (and htmx) row buttons: "add:parties", "remove:parties/1", and the
    key/value rows of an object: "add:PATH/_extra", "remove:PATH/_extra/0"."""
    verb, _, path = action.partition(":")
    parts = [p for p in path.split("/") if p]
    row = parse_int(parts[-1], 0, MAX_ROWS) if parts else None
    if shapes.EXTRA in parts[-2:]:
        _extra_action(data, verb, parts, row, doc)
    elif verb == "remove" and row is not None:
        rows = _at(data, parts[:-1])
        if isinstance(rows, list) and row < len(rows):
            del rows[row]
    elif verb == "add" and parts:
        rows = _at(data, parts)
        if rows is None:
            rows = []
            parent = _at(data, parts[:-1])
            if isinstance(parent, dict):
                parent[parts[-1]] = rows
        node = doc.schema_at("/".join(parts))
        limit = node.get("maxItems") if node else None
        if isinstance(rows, list) and (limit is None or len(rows) < limit):
            items = shapes.item_schema(doc, node, len(rows)) if node else {}
            if items is not None:
                rows.append({} if shapes.kind(doc, items) == "object" else None)
    return data


def _extra_action(
    data: dict[str, Any], verb: str, parts: list[str], row: int | None, doc: SchemaDoc
) -> None:
    at = parts.index(shapes.EXTRA, max(len(parts) - 2, 0))
    owner = parts[:at]
    node = doc.schema_at("/".join(owner)) if owner else doc.resolve(doc.root)
    if node is None or not shapes.has_extras(node):
        return  # not an object that takes keys of the person's choosing: a forged button
    target = _at(data, owner) if owner else data
    if target is None and verb == "add":
        target = {}
        parent = _at(data, owner[:-1]) if len(owner) > 1 else data
        if isinstance(parent, dict):
            parent[owner[-1]] = target
    if not isinstance(target, dict):
        return
    keys = shapes.extra_keys(shapes.object_view(doc, node, target), target)
    if verb == "add" and "" not in target:
        target[""] = None  # a new row: no key yet (never stored: a row without key is not read)
    elif verb == "remove" and row is not None and row < len(keys):
        del target[keys[row]]


def _at(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and (parse_int(part, 0, len(data) - 1) is not None):
            data = data[int(part)]
        else:
            return None
    return data
