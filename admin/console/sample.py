"""Sample data for a form preview: plausible values for every field the schema declares.

The values are fixed examples (a valid test ID number, a 138 phone), never real people.
"""

from __future__ import annotations

from datetime import date
from typing import Any

FORMAT_SAMPLES = {
    "cn-id-number": "11010519491231002X",  # the GB 11643 textbook example
    "cn-mobile": "13800138000",
    "cn-division-code": "420900",
    "email": "sample@example.com",
    "date": date(2026, 11, 20).isoformat(),
    "time": "09:30:00",
    "date-time": "2026-11-20T09:30:00+08:00",
}
MAX_DEPTH = 6


def sample(schema: Any, depth: int = 0) -> Any:
    """A value that a clerk might have typed for `schema` (None when nothing sensible)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return sample(options[0], depth + 1)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    return _by_type(str(kind or ("object" if "properties" in schema else "")), schema, depth)


def _by_type(kind: str, schema: dict[str, Any], depth: int) -> Any:
    if kind == "object":
        values = {}
        for name, sub in (schema.get("properties") or {}).items():
            value = sample(sub, depth + 1)
            if value is not None:
                values[name] = value
        return values
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        item = sample(schema.get("items", {}), depth + 1)
        return [] if item is None else [item] * count
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return None


def _string(schema: dict[str, Any]) -> str | None:
    if "x-attachment" in schema or schema.get("contentMediaType"):
        return None  # files cannot be sampled; the preview leaves them empty
    if schema.get("format") in FORMAT_SAMPLES:
        return FORMAT_SAMPLES[str(schema["format"])]
    text = str(schema.get("title") or "示例")
    minimum = int(schema.get("minLength", 0))
    maximum = int(schema.get("maxLength", 200))
    if len(text) < minimum:
        text = (text * minimum)[:minimum]
    return text[:maximum]
