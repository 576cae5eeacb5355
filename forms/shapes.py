"""Shapes of a schema that rendering and parsing read beyond forms.schema's SchemaDoc: choices
written as `anyOf`/`oneOf` of titled constants, readable labels for any enum value, positions
of `prefixItems`, key/value rows of `additionalProperties`/`patternProperties`, `null` fields,
nullable types, and the `oneOf` inside a `dependentSchemas` entry that asks a question only
when an answer is chosen.

The renderer (forms.fields) and the parser (forms.parse) both read the form through these, so
what is shown is exactly what is read back.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from forms.patterns import PatternProblem, translate
from forms.schema import ObjectView, Schema, SchemaDoc

NULL_LABEL = "空"
EXTRA = "_extra"  # input names of key/value rows: "PATH/_extra/0/key", "PATH/_extra/0/value"
MAX_PATTERN_KEY = 200  # a key longer than this is not matched against patterns (regex cost)


# --- choices ------------------------------------------------------------------------------


def _branch_value(option: Any) -> tuple[bool, Any]:
    """A `oneOf`/`anyOf` branch that admits exactly one value: (True, value)."""
    if not isinstance(option, dict):
        return False, None
    if "const" in option:
        return True, option["const"]
    enum = option.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return True, enum[0]
    return False, None


def titled_choices(node: Schema) -> list[dict[str, Any]] | None:
    """The branches of a `oneOf` or `anyOf` whose every branch is one value, else None."""
    for keyword in ("oneOf", "anyOf"):
        options = node.get(keyword)
        if isinstance(options, list) and options and all(_branch_value(o)[0] for o in options):
            return options
    return None


def kind(doc: SchemaDoc, node: Schema) -> str:
    """SchemaDoc.kind, plus: `anyOf` (or single-value `enum` branches) of titled values is a
    choice; `"type": "null"` alone is a note with no input."""
    found = doc.kind(node)
    if found not in ("string", "number", "integer"):
        return found
    if ("oneOf" in node or "anyOf" in node) and titled_choices(node) is not None:
        return "choice"
    if found == "string" and node.get("type") == "null":
        return "null"
    return found


def readable(value: Any) -> str:
    """A value as a person reads it: 是/否/空 for true/false/null, an object by its title or
    name (else its pairs), never a Python repr."""
    if value is None:
        return NULL_LABEL
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        for key in ("title", "name", "名称", "label"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        return "，".join(f"{k}：{readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(readable(v) for v in value)
    return str(value)


def _pairs(value: Any) -> str:
    if isinstance(value, dict):
        return "，".join(f"{k}：{readable(v)}" for k, v in value.items())
    return readable(value)


def values(doc: SchemaDoc, node: Schema) -> list[Any]:
    """The values of a choice, in schema order (what the parser matches a submission to)."""
    branches = titled_choices(node)
    if branches is not None:
        return [_branch_value(o)[1] for o in branches]
    if isinstance(node.get("enum"), list):
        return list(node["enum"])
    if "const" in node:
        return [node["const"]]
    return [value for value, _label in doc.options(node)]


def options(doc: SchemaDoc, node: Schema) -> list[tuple[Any, str]]:
    """(value, Chinese label) of a choice, in schema order; labels are the branch `title`s,
    else readable values, made unique by spelling objects out when two would read alike."""
    branches = titled_choices(node)
    if branches is not None:
        found = [
            (value, str(o["title"]) if o.get("title") else readable(value))
            for o in branches
            for value in [_branch_value(o)[1]]
        ]
    elif isinstance(node.get("enum"), list):
        found = [(v, readable(v)) for v in node["enum"]]
    elif "const" in node:
        found = [(node["const"], readable(node["const"]))]
    else:
        found = doc.options(node)
    seen = Counter(label for _, label in found)
    if len(seen) < len(found):
        found = [(v, _pairs(v) if seen[label] > 1 else label) for v, label in found]
    return found


def option_text(value: Any) -> str:
    """The HTML value of an option: a string as it is, anything else as JSON (so that an
    object, a number, true/false and null come back as what they were)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


NULLABLE_MARK = "x-yidi-nullable"  # set by unwrap on a `oneOf: [null, X]` read as X


def nullable(node: Schema) -> bool:
    """`"type": [..., "null"]` (or a `oneOf`/`anyOf` of null and one schema): an empty input
    means null, stored as null."""
    declared = node.get("type")
    typed = isinstance(declared, list) and "null" in declared and len(declared) > 1
    return typed or bool(node.get(NULLABLE_MARK))


def _is_null(doc: SchemaDoc, branch: Any) -> bool:
    resolved = doc.resolve(branch)
    return resolved.get("type") == "null" or ("const" in resolved and resolved["const"] is None)


def unwrap(doc: SchemaDoc, node: Schema) -> Schema:
    """`oneOf`/`anyOf` of `{"type": "null"}` and one other schema is that schema, nullable:
    rendered and read as the other schema (keywords beside the oneOf kept)."""
    if "oneOf" not in node and "anyOf" not in node:
        return node
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        if not isinstance(branches, list) or len(branches) < 2:
            continue
        others = [b for b in branches if not _is_null(doc, b)]
        if len(others) == 1 and len(others) < len(branches):
            siblings = {k: v for k, v in node.items() if k != keyword}
            return {**doc.resolve(others[0]), **siblings, NULLABLE_MARK: True}
    return node


# --- arrays -------------------------------------------------------------------------------


def prefix(node: Schema) -> list[Any]:
    found = node.get("prefixItems")
    return found if isinstance(found, list) else []


def item_schema(doc: SchemaDoc, node: Schema, index: int) -> Schema | None:
    """The schema of position `index`: its `prefixItems` entry, else `items` (None when
    `items` is false: no position beyond the prefix)."""
    fixed = prefix(node)
    if index < len(fixed):
        return doc.resolve(fixed[index])
    items = node.get("items", {})
    if items is False:
        return None
    return doc.resolve(items)


# --- additional properties ------------------------------------------------------------------


def has_extras(node: Schema) -> bool:
    """Does the object take keys of the person's choosing (key/value rows)?"""
    extra = node.get("additionalProperties")
    patterns = node.get("patternProperties")
    return (
        isinstance(extra, dict) or extra is True or (isinstance(patterns, dict) and bool(patterns))
    )


def _matches(pattern: str, key: str) -> bool:
    """Does an ECMA-262 pattern (as validation reads it, forms.patterns) match the key?"""
    try:
        return re.search(translate(pattern), key) is not None
    except (PatternProblem, re.error):
        return False  # `yidi form check` refuses such a pattern


def value_schema(doc: SchemaDoc, node: Schema, key: str | None) -> Schema:
    """The schema of the value under an extra key: a matching `patternProperties` entry,
    else `additionalProperties`; for a new, unnamed row the first of them."""
    patterns = node.get("patternProperties")
    patterns = patterns if isinstance(patterns, dict) else {}
    extra = node.get("additionalProperties")
    if key is not None and len(key) <= MAX_PATTERN_KEY:
        for pattern, sub in patterns.items():
            if _matches(pattern, key):
                return doc.resolve(sub)
    if isinstance(extra, dict):
        return doc.resolve(extra)
    if key is None and patterns:
        return doc.resolve(next(iter(patterns.values())))
    return {}


def extra_keys(view: ObjectView, data: Any) -> list[str]:
    """Keys of data that are not declared fields of the object, in data order."""
    if not isinstance(data, dict):
        return []
    return [k for k in data if k not in view.properties]


# --- objects ------------------------------------------------------------------------------


def object_view(doc: SchemaDoc, node: Schema, data: Any, shape: int | None = None) -> ObjectView:
    """SchemaDoc.object_view, plus the branch of a `oneOf`/`anyOf` inside an active
    `dependentSchemas` entry (the one the chosen answer selects), and a better guess of the
    shape stored data belongs to (the branch that declares all its keys)."""
    node = doc.resolve(node)
    values = data if isinstance(data, dict) else {}
    if shape is None and values and ("oneOf" in node or "anyOf" in node):
        shape = _guess_shape(doc, doc.shape_options(node), values)
    view = doc.object_view(node, data, shape)
    if not values or not view.triggers:
        return view  # nothing answered, or no dependentSchemas (each entry makes a trigger)
    for name, sub in _dependent_schemas(doc, node, view):
        if name not in values:
            continue
        branch = _dependent_branch(doc, sub, name, values)
        if branch is None:
            continue
        # The answer's own property is the question: keep its full list of choices.
        props = {k: v for k, v in branch.get("properties", {}).items() if k != name}
        doc._fold({**branch, "properties": props}, values, view, True, 1)
    return view


def _guess_shape(doc: SchemaDoc, shapes: list[Schema], values: dict[str, Any]) -> int | None:
    if not shapes:
        return None
    guessed = doc.guess_shape(shapes, values)
    declared = [set(doc.resolve(s).get("properties", {})) for s in shapes]
    if guessed is not None and set(values) <= declared[guessed]:
        return guessed
    for index, shape in enumerate(shapes):
        if set(values) <= declared[index] and doc.matches(shape, values):
            return index
    return guessed


def _dependent_schemas(doc: SchemaDoc, node: Schema, view: ObjectView) -> list[tuple[str, Any]]:
    """dependentSchemas entries of the node and of its allOf parts and chosen shape."""
    found: list[tuple[str, Any]] = []
    stack: list[Any] = [node]
    if view.shape_index is not None:
        stack.append(view.shapes[view.shape_index])
    seen = 0
    while stack and seen < 64:
        seen += 1
        current = doc.resolve(stack.pop())
        entries = current.get("dependentSchemas")
        if isinstance(entries, dict):
            found.extend(entries.items())
        stack.extend(current.get("allOf", []) if isinstance(current.get("allOf"), list) else [])
    return found


def _dependent_branch(doc: SchemaDoc, sub: Any, name: str, values: dict[str, Any]) -> Schema | None:
    sub = doc.resolve(sub)
    for keyword in ("oneOf", "anyOf"):
        branches = sub.get(keyword)
        if not isinstance(branches, list):
            continue
        resolved = [doc.resolve(b) for b in branches]
        for branch in resolved:  # the branch that names the chosen answer
            pinned = doc.resolve(branch.get("properties", {}).get(name, {}))
            if ("const" in pinned and pinned["const"] == values[name]) or (
                isinstance(pinned.get("enum"), list) and values[name] in pinned["enum"]
            ):
                return branch
        for branch in resolved:
            if doc.matches(branch, values):
                return branch
    return None
