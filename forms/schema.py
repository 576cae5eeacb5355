"""Reading a form's JSON Schema the way a form needs it: local `$ref`s resolved, the kind of
each field, and the fields an object has *for the data at hand* (if/then/else, allOf,
dependentRequired, dependentSchemas and a chosen oneOf/anyOf shape folded in).

The same view drives rendering, parsing and display, so that a field hidden by a condition
is neither shown, nor read from a submission, nor stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from forms.formats import FORMAT_CHECKER
from forms.integers import NUMBER_LIMIT, is_ascii_digits
from forms.patterns import PatternProblem, ecma_schema
from forms.refs import REF_KEYWORDS, ReferenceProblem, References, reference_of

Schema = dict[str, Any]
MAX_DEPTH = 32  # guards against self-referencing schemas when walking
REF_MARK = "x-yidi-ref"  # on object_view properties: the $ref they came from


class SchemaError(ValueError):
    """The schema cannot be used as a form; str() is a Chinese explanation."""


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


def _pinned(node: Schema) -> list[Any]:
    if "const" in node:
        return [node["const"]]
    enum = node.get("enum")
    return list(enum) if isinstance(enum, list) and len(enum) == 1 else []


T = TypeVar("T")
_VALUES = frozenset({"enum", "const", "default", "examples"})  # data, not schemas


def bound_numbers(node: T) -> T:
    """A copy of the schema in which every integer or number field without an upper (lower)
    bound of its own gets NUMBER_LIMIT (its negative): a huge number is then a Chinese field
    error like any other, never a value stored (docs/workbench.md, Security)."""
    if isinstance(node, list):
        return cast(T, [bound_numbers(item) for item in node])
    if not isinstance(node, dict):
        return node
    result = {k: v if k in _VALUES else bound_numbers(v) for k, v in node.items()}
    declared = node.get("type")
    kinds = set(declared) if isinstance(declared, list) else {declared}
    if isinstance(declared, (str, list)) and kinds & {"integer", "number"}:
        if "maximum" not in node and "exclusiveMaximum" not in node:
            result["maximum"] = NUMBER_LIMIT
        if "minimum" not in node and "exclusiveMinimum" not in node:
            result["minimum"] = -NUMBER_LIMIT
    return cast(T, result)


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
        self.refs = References(root)
        try:  # patterns get their ECMA-262 meaning (forms/patterns.py)
            checked = ecma_schema(root)
        except PatternProblem as problem:
            raise SchemaError(str(problem)) from None
        self.validator = Draft202012Validator(checked, format_checker=FORMAT_CHECKER)
        self._matchers: dict[int, Any] = {}
        self._at: dict[str, Schema | None] = {}

    # --- references -----------------------------------------------------------------------

    def pointer(self, ref: str, base: str | None = None) -> Any:
        """The schema (dict or boolean) a reference leads to; SchemaError when it does not
        resolve. Only the checker needs this strictness: rendering and messages use resolve."""
        try:
            return self.refs.lookup(ref, self.refs.root_uri if base is None else base)
        except ReferenceProblem as problem:
            raise SchemaError(str(problem)) from None

    def resolve(self, node: Any) -> Schema:
        """Follow `$ref`s (and `$dynamicRef`s, statically); keywords beside a reference override
        the referenced ones. Never raises: a reference that does not resolve (only a schema
        that skipped the checker has one) or a loop of references leaves its siblings only."""
        if not isinstance(node, dict):
            return {} if node is True or node is None else {"not": {}}
        base = self.refs.base_of(node)
        depth = 0
        while reference_of(node) is not None and depth < MAX_DEPTH:
            depth += 1
            siblings = {k: v for k, v in node.items() if k not in REF_KEYWORDS}
            found = self.refs.target(node, base)
            if found is None:
                return siblings
            target, base = found
            if not isinstance(target, dict):
                target = {} if target else {"not": {}}
            node = {**target, **siblings}
        if depth >= MAX_DEPTH:
            return {k: v for k, v in node.items() if k not in REF_KEYWORDS}
        resolved: Schema = node
        return resolved

    # --- conditions -----------------------------------------------------------------------

    def matches(self, subschema: Any, data: Any) -> bool:
        """Does data satisfy a subschema (an `if`, a oneOf branch), with the root's $defs.
        A reference relative to an embedded `$id` cannot be followed from here: such a
        condition counts as not met (rendering only; validation runs on the whole schema)."""
        # Only the document's own objects are cached: a merged copy made by resolve() lives
        # briefly, and a later object could reuse its id.
        key = id(subschema) if self.refs.indexed(subschema) else None
        matcher = self._matchers.get(key) if key is not None else None
        try:
            if matcher is None:
                matcher = self.validator.evolve(schema=ecma_schema(subschema))
                if key is not None:
                    self._matchers[key] = matcher
            return bool(matcher.is_valid(data))
        except (Unresolvable, RecursionError, PatternProblem):
            return False

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
            consts = {  # a const, or an enum of one value (the usual dependentSchemas key)
                k: pinned[0]
                for k, v in shape.get("properties", {}).items()
                if (pinned := _pinned(self.resolve(v)))
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
            return  # a loop of allOf/$ref: the checker refuses it, rendering stops here
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
        a property declared only under an inactive condition is still found (for messages).
        Without data the answer depends on the path alone (rows are alike): it is cached per
        generic path, so building messages does not fold the schema again for every error."""
        if data is None:
            generic = "/".join("#" if is_ascii_digits(p) else p for p in path.split("/"))
            if generic not in self._at:
                self._at[generic] = self._schema_at(path, None)
            return self._at[generic]
        return self._schema_at(path, data)

    def _schema_at(self, path: str, data: Any) -> Schema | None:
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
