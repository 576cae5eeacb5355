"""Evaluating a definition's conditions on a case (offering an action only when it holds)."""

from __future__ import annotations

from typing import Any

from dsl.model import AllOf, AnyOf, Comparison, Condition, Not

_MISSING = object()
# Form values are unknown while actions are offered: a form condition is checked on submit.
_UNKNOWN = object()


def lookup(path: str, case: dict[str, Any], form: dict[str, Any] | None) -> Any:
    head, _, rest = path.partition(".")
    if head == "form" and form is None:
        return _UNKNOWN
    if head == "case":
        return case.get(rest, _MISSING)
    source: Any = form if head == "form" else case.get("data") or {}
    for part in rest.split("."):
        if not isinstance(source, dict) or part not in source:
            return _MISSING
        source = source[part]
    return source


def holds(
    condition: Condition | None, case: dict[str, Any], form: dict[str, Any] | None = None
) -> bool:
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(holds(p, case, form) for p in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(p, case, form) for p in condition.parts)
    if isinstance(condition, Not):
        return not holds(condition.part, case, form)
    return _compare(condition, lookup(condition.path, case, form))


def _compare(c: Comparison, value: Any) -> bool:
    if value is _UNKNOWN:
        return True
    if c.op == "is set":
        return value is not _MISSING and value not in (None, "")
    if c.op == "is not set":
        return value is _MISSING or value in (None, "")
    if value is _MISSING:
        return False
    if c.op == "in":
        return value in tuple(c.value)
    if c.op == "not in":
        return value not in tuple(c.value)
    if c.op == "==":
        return bool(value == c.value)
    if c.op == "!=":
        return bool(value != c.value)
    try:
        return bool(
            {
                "<": value < c.value,
                "<=": value <= c.value,
                ">": value > c.value,
                ">=": value >= c.value,
            }[c.op]
        )
    except TypeError:
        return False
