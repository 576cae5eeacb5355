"""UI hints: the optional NAME.ui.json beside a form schema (order, widgets, help, sections,
sensitive fields, attachment limits). Documented with examples in docs/forms.md.

Fields are named by their path of property names with array indices left out:
"parties/id_number" is the ID number of every party row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDGETS = ("text", "textarea", "select", "radio", "checkboxes", "checkbox")

FIELD_HINT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string", "minLength": 1},
        "widget": {"enum": list(WIDGETS)},
        "placeholder": {"type": "string"},
        "help": {"type": "string"},
        "sensitive": {"type": "boolean"},
        "order": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "integer", "minimum": 1, "maximum": 40},
        "add_label": {"type": "string", "minLength": 1},
        "accept": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "max_size": {"type": "integer", "minimum": 1},
        "messages": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

UI_HINTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "order": {"type": "array", "items": {"type": "string"}},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "fields"],
                "properties": {
                    "title": {"type": "string", "minLength": 1},
                    "help": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                },
            },
        },
        "fields": {"type": "object", "additionalProperties": FIELD_HINT_SCHEMA},
    },
}


def generic_path(path: str) -> str:
    """'parties/0/id_number' -> 'parties/id_number' (hints apply to every row)."""
    return "/".join(part for part in path.split("/") if part and not part.isdigit())


@dataclass(frozen=True)
class Section:
    title: str
    help: str
    fields: tuple[str, ...]


@dataclass
class UiHints:
    order: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> UiHints:
        if not data:
            return cls()
        sections = [
            Section(s["title"], s.get("help", ""), tuple(s["fields"]))
            for s in data.get("sections", [])
        ]
        return cls(list(data.get("order", [])), sections, dict(data.get("fields", {})))

    def hint(self, path: str) -> dict[str, Any]:
        return self.fields.get(generic_path(path), {})

    def ordered(self, path: str, names: list[str]) -> list[str]:
        """Property names in hint order (named first, the rest in schema order)."""
        order = self.order if not generic_path(path) else self.hint(path).get("order", [])
        first = [n for n in order if n in names]
        return first + [n for n in names if n not in first]
