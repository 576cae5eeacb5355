"""Reading a form's JSON Schema the way a form needs it: local `$ref`s resolved, the kind of
each field, and the fields an object has *for the data at hand* (if/then/else, allOf,
dependentRequired, dependentSchemas and a chosen oneOf/anyOf shape folded in).

The same view drives rendering, parsing and display, so that a field hidden by a condition
is neither shown, nor read from a submission, nor stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from forms.formats import FORMAT_CHECKER
from forms.integers import is_ascii_digits

Schema = dict[str, Any]
MAX_DEPTH = 32  # guards against self-referencing schemas when walking
REF_MARK = "x-yidi-ref"  # on object_view properties: the $ref they came from


class SchemaError(ValueError):
    """The schema cannot be used as a form; str() is a Chinese explanation."""


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def first_type(node: Schema) -> str | None:
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    return declared if isinstance(declared, str) else None


def is_const_choice(options: object) -> bool:
    return (
        isinstance(options, list)
        and bool(options)
        and all(isinstance(o, dict) and "const" in o for o in options)
    )


@dataclass
class ObjectView:
    """The properties of an object node for given data, in declaration order."""

    properties: dict[str, Schema] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    conditional: set[str] = field(default_factory=set)  # appear only under a condition
    triggers: set[str] = field(default_factory=set)  # changing them may change the fields
    shapes: list[Schema] = field(default_factory=list)  # oneOf/anyOf of objects: pick one
    shape_index: int | None = None


class SchemaDoc:
    """One form schema, with `$ref` resolution and condition evaluation."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        cls = validator_for(root, default=Draft202012Validator)
        self.validator = cls(root, format_checker=FORMAT_CHECKER)
        self._matchers: dict[int, Any] = {}

    # --- references -----------------------------------------------------------------------

    def pointer(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise SchemaError(f"只支持本文件内的 $ref（以 # 开头）：{ref}")
        node: Any = self.root
        for token in [unescape(t) for t in ref[1:].split("/") if t]:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and is_ascii_digits(token) and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SchemaError(f"$ref 指向的定义不存在：{ref}")
        if not isinstance(node, dict):
            raise SchemaError(f"$ref 指向的不是一个 schema：{ref}")
        return node

    def resolve(self, node: Any) -> Schema:
        """Follow `$ref`s; keywords beside a `$ref` override the referenced ones."""
        if not isinstance(node, dict):
            return {} if node is True or node is None else {"not": {}}
        depth = 0
        while "$ref" in node:
            depth += 1
            if depth > MAX_DEPTH:
                raise SchemaError(f"$ref 循环引用：{node['$ref']}")
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**self.pointer(node["$ref"]), **siblings}
        resolved: Schema = node
        return resolved

    # --- conditions -----------------------------------------------------------------------

    def matches(self, subschema: Any, data: Any) -> bool:
        """Does data satisfy a subschema (an `if`, a oneOf branch), with the root's $defs."""
        key = id(subschema)
        matcher = self._matchers.get(key)
        if matcher is None:
            matcher = self.validator.evolve(schema=subschema)
            self._matchers[key] = matcher
        return bool(matcher.is_valid(data))

    # --- kinds ----------------------------------------------------------------------------

    def kind(self, node: Schema) -> str:
        if "x-attachment" in node:
            return "file"
        declared = first_type(node)
        if declared == "boolean":
            return "boolean"  # even with a const: a box that must be ticked
        if "enum" in node or is_const_choice(node.get("oneOf")) or "const" in node:
            return "choice"
        if declared in ("object", "array", "boolean", "number", "integer", "string"):
            return declared
        if "properties" in node or self.shape_options(node):
            return "object"
        if "items" in node:
            return "array"
        return "string"

    def shape_options(self, node: Schema) -> list[Schema]:
        for keyword in ("oneOf", "anyOf"):
            options = node.get(keyword)
            if isinstance(options, list) and options and not is_const_choice(options):
                resolved = [self.resolve(o) for o in options]
                if all(self.kind(o) == "object" for o in resolved):
                    return resolved
        return []

    def options(self, node: Schema) -> list[tuple[Any, str]]:
        """(value, Chinese label) pairs of a choice: enum values, or oneOf consts' titles."""
        if is_const_choice(node.get("oneOf")):
            return [(o["const"], str(o.get("title", o["const"]))) for o in node["oneOf"]]
        if "enum" in node:
            return [(v, str(v)) for v in node["enum"]]
        if "const" in node:
            return [(node["const"], str(node["const"]))]
        return []

    # --- objects --------------------------------------------------------------------------

    def object_view(self, node: Schema, data: Any, shape: int | None = None) -> ObjectView:
        view = ObjectView()
        values = data if isinstance(data, dict) else {}
        self._fold(node, values, view, conditional=False, depth=0)
        view.shapes = self.shape_options(node)
        if view.shapes:
            view.shape_index = shape if shape is not None else self.guess_shape(view.shapes, data)
            if view.shape_index is not None and 0 <= view.shape_index < len(view.shapes):
                self._fold(view.shapes[view.shape_index], values, view, True, 0)
            else:
                view.shape_index = None
        return view

    def guess_shape(self, shapes: list[Schema], data: Any) -> int | None:
        """Which branch the stored data belongs to: a matching const, else a valid branch."""
        if not isinstance(data, dict) or not data:
            return None
        for index, shape in enumerate(shapes):
            consts = {
                k: self.resolve(v)["const"]
                for k, v in shape.get("properties", {}).items()
                if "const" in self.resolve(v)
            }
            if consts and all(data.get(k) == c for k, c in consts.items()):
                return index
        for index, shape in enumerate(shapes):
            if self.matches(shape, data):
                return index
        overlap = [len(set(s.get("properties", {})) & set(data)) for s in shapes]
        return overlap.index(max(overlap)) if max(overlap) > 0 else None

    def _fold(
        self, node: Schema, data: dict[str, Any], view: ObjectView, conditional: bool, depth: int
    ) -> None:
        if depth > MAX_DEPTH:
            raise SchemaError("schema 嵌套过深或循环引用")
        node = self.resolve(node)
        for name, sub in node.get("properties", {}).items():
            merged = {**view.properties.get(name, {}), **self.resolve(sub)}
            if isinstance(sub, dict) and "$ref" in sub:
                merged[REF_MARK] = sub["$ref"]  # lets walkers notice recursive definitions
            if name not in view.properties and conditional:
                view.conditional.add(name)
            view.properties[name] = merged
        view.required.update(r for r in node.get("required", []) if isinstance(r, str))
        for sub in node.get("allOf", []):
            self._fold(sub, data, view, conditional, depth + 1)
        if "if" in node:
            condition = self.resolve(node["if"])
            view.triggers.update(condition.get("properties", {}))
            view.triggers.update(condition.get("required", []))
            branch = "then" if self.matches(node["if"], data) else "else"
            if branch in node:
                self._fold(node[branch], data, view, True, depth + 1)
        for name, needed in node.get("dependentRequired", {}).items():
            view.triggers.add(name)
            if name in data:
                view.required.update(needed)
        for name, sub in node.get("dependentSchemas", {}).items():
            view.triggers.add(name)
            if name in data:
                self._fold(sub, data, view, True, depth + 1)

    # --- lookup by path -------------------------------------------------------------------

    def schema_at(self, path: str, data: Any = None) -> Schema | None:
        """The schema of the field at a path ("parties/0/name"), conditions of data applied;
        a property declared only under an inactive condition is still found (for messages)."""
        node: Schema | None = self.root
        for part in [p for p in path.split("/") if p]:
            if node is None:
                return None
            node = self.resolve(node)
            if is_ascii_digits(part):
                node = node.get("items")
                data = data[int(part)] if isinstance(data, list) and int(part) < len(data) else None
            else:
                found = self.object_view(node, data).properties.get(part)
                node = found if found is not None else self._search(node, part)
                data = data.get(part) if isinstance(data, dict) else None
        return self.resolve(node) if node is not None else None

    def _search(self, start: Schema, name: str) -> Schema | None:
        """A property declared under a condition or shape of an object node."""
        stack: list[Any] = [start]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, dict):
                props = node.get("properties")
                if isinstance(props, dict) and isinstance(props.get(name), dict):
                    found: Schema = props[name]
                    return found
                stack.extend(v for k, v in node.items() if k not in ("properties", "items"))
                if "$ref" in node:
                    stack.append(self.resolve(node))
            elif isinstance(node, list):
                stack.extend(node)
        return None
