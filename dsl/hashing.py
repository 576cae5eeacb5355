"""The version identity of a compiled county: sha256 of its canonical form.

Canonical: mappings sorted by key, source line numbers left out, sets sorted; so the hash does not
change with file order, whitespace or comments, and changes with any semantic difference.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from dsl.model import HASH_ONLY_IF_SET, County

SKIPPED = {"line", "files", "content_hash"}


def _unset_optional(f: dataclasses.Field[Any], value: Any) -> bool:
    """A field added to the language later, still at its default: not part of the hash."""
    if not f.metadata.get(HASH_ONLY_IF_SET):
        return False
    factory = f.default_factory
    default = factory() if factory is not dataclasses.MISSING else f.default
    return bool(getattr(value, f.name) == default)


def canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in SKIPPED and not _unset_optional(f, value)
        }
        return {"__": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, frozenset | set):
        return sorted(canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_hash(county: County) -> str:
    text = json.dumps(canonical(county), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
