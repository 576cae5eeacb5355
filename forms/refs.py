"""Where a form schema's `$ref`s and `$dynamicRef`s lead, the way JSON Schema 2020-12 says.

A reference is resolved against the base URI of the schema object it sits in (the nearest
`$id` above it), and may name a JSON pointer (`#/$defs/rate%25`, percent-escapes decoded), an
`$anchor` or `$dynamicAnchor` (`#addr`), an embedded resource (`item.json`), or a boolean
schema. The `referencing` library (the one jsonschema validates with) does the lookup, so what
the checker accepts is exactly what validation will follow; only this document's own resources
are in its registry, so nothing is ever fetched and a reference to another file is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urljoin

from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

# Keywords whose values are data, not schemas: a `$id` inside them is not an identifier.
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
# Keywords whose values map names to schemas: a property may be called "default" or "enum".
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
SCHEMA_MAPS |= {"dependentSchemas"}
REF_KEYWORDS = ("$ref", "$dynamicRef")


class ReferenceProblem(ValueError):
    """A reference that does not resolve; str() is a Chinese explanation."""


def reference_of(node: Any) -> str | None:
    """The `$ref` (else `$dynamicRef`) of a schema object, if it has one."""
    if not isinstance(node, dict) or ("$ref" not in node and "$dynamicRef" not in node):
        return None
    for keyword in REF_KEYWORDS:
        value = node.get(keyword)
        if isinstance(value, str):
            return value
    return None


class References:
    """The resources of one schema document and the base URI of each of its schema objects."""

    def __init__(self, root: Any) -> None:
        resource = DRAFT202012.create_resource(root)
        self.root_uri = resource.id() or ""
        self.registry: Registry[Any] = Registry().with_resource(self.root_uri, resource).crawl()
        self._bases: dict[int, str] = {}
        self._root = root  # keeps every indexed object (and so its id) alive
        self._index(root, self.root_uri)

    def _index(self, node: Any, base: str) -> None:
        if isinstance(node, dict):
            own = node.get("$id")
            if isinstance(own, str):
                base = urljoin(base, own)
            self._bases[id(node)] = base
            for key, value in node.items():
                if key in SCHEMA_MAPS and isinstance(value, dict):
                    for schema in value.values():
                        self._index(schema, base)
                elif key not in DATA_KEYWORDS:
                    self._index(value, base)
        elif isinstance(node, list):
            for item in node:
                self._index(item, base)

    def indexed(self, node: Any) -> bool:
        """Is node one of this document's own schema objects (not a merged copy)?"""
        return id(node) in self._bases

    def base_of(self, node: Any) -> str:
        return self._bases.get(id(node), self.root_uri)

    def lookup(self, ref: str, base: str) -> Any:
        """The schema (a dict or a boolean) a reference made at `base` leads to."""
        # A bare fragment means the base itself (urljoin drops a URN base: "urn:x" + "#a").
        uri, _ = urldefrag(base if ref.startswith("#") else urljoin(base, ref))
        if uri not in self.registry:
            raise ReferenceProblem(f"只支持本文件内的 $ref（不能引用其他文件或网址）：{ref}")
        try:
            resolved = self.registry.resolver(base_uri=base).lookup(ref)
        except (Unresolvable, LookupError, ValueError):
            raise ReferenceProblem(f"$ref 指向的定义不存在：{ref}") from None
        contents = resolved.contents
        if not isinstance(contents, (dict, bool)):
            raise ReferenceProblem(f"$ref 指向的不是一个 schema：{ref}")
        return contents

    def target(self, node: Any, base: str | None = None) -> tuple[Any, str] | None:
        """Where the reference of `node` leads and that schema's base URI; None when it does
        not resolve (the checker reports those; rendering treats the field as unknown)."""
        ref = reference_of(node)
        if ref is None:
            return None
        try:
            found = self.lookup(ref, self.base_of(node) if base is None else base)
        except ReferenceProblem:
            return None
        return found, self.base_of(found)

    def cycle(self, start: dict[str, Any]) -> bool:
        """Does following `$ref`s and in-place applicators from `start` come back to a schema
        already on the path without descending into the data? Validation would never end."""
        path: set[int] = set()
        done: set[int] = set()

        def visit(node: Any) -> bool:
            if not isinstance(node, dict) or id(node) in done:
                return False
            if id(node) in path:
                return True
            path.add(id(node))
            found = self.target(node) if isinstance(node.get("$ref"), str) else None
            nexts: list[Any] = [found[0]] if found else []
            for key in ("allOf", "anyOf", "oneOf"):
                if isinstance(node.get(key), list):
                    nexts.extend(node[key])
            nexts.extend(node.get(key) for key in ("not", "if", "then", "else"))
            if isinstance(node.get("dependentSchemas"), dict):
                nexts.extend(node["dependentSchemas"].values())
            looped = any(visit(n) for n in nexts)
            path.discard(id(node))
            done.add(id(node))
            return looped

        return visit(start)
