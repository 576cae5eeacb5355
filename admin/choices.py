"""What an action form offers to choose, from the county's definition: the offices a dispatch
may go to (the suggested one preselected, with the rule that suggests it in words), the
offices of a transfer, the centers of a push-down, the legal channels of a diversion.

A dispatcher never types an office's key: the form's `office` field becomes a select of the
offices stationed at the case's center, and a typed display name (「综治中心（无差别受理）」,
「书院街道司法所」) is read back to the office's key, as the select would send it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from dsl import routing

# The data key each choosing effect reads (engine.actions.apply), and its label.
CHOICE_FIELD = {"transfer": "office", "push_down": "center", "divert": "diversion"}
CHOICE_LABEL = {"office": "转办给", "center": "下沉到", "diversion": "引导至"}
# The name of the select shown apart, when the action's form does not ask for the target.
APART = "_choice"


@dataclass(frozen=True)
class Choice:
    """A select the act page shows beside (or inside) the step's form."""

    field: str
    label: str
    options: tuple[tuple[str, str], ...]  # (key sent, words shown)
    selected: str = ""
    reason: str = ""  # why `selected` is suggested, in words


def route_words(model: Any, route: Any) -> str:
    """A routing rule in words: 「事项类型 劳动争议 → 县（市、区）级 劳动人事争议仲裁委」."""
    return routing.describe(model, route)


def _office_name(model: Any, key: str) -> str:
    found = model.offices.get(key)
    return str(found.name) if found is not None else key


def _target_role(model: Any, process: str, target: str | None) -> str:
    proc = model.processes.get(process)
    step = proc.steps.get(target) if proc is not None and target else None
    actor = step.actor if step is not None else None
    return str(actor.role) if actor is not None else ""


def dispatch_offices(model: Any, case: Any, target: str | None) -> tuple[tuple[str, str], ...]:
    """Offices a dispatch may name: stationed at the case's center (engine.actions._assign
    refuses the others) and having the role that works the next step."""
    role = _target_role(model, case.process, target)
    if case.center not in model.centers:
        return ()
    return tuple(
        (key, str(office.name))
        for key, office in model.offices.items()
        if routing.office_stationed_at(model, key, case.center)
        and (not role or role in office.roles)
    )


def suggestion(model: Any, case: Any) -> tuple[str, str]:
    """(office, reason in words) the dispatch page preselects: the office routing gave the
    case, with the rule that gave it; an office chosen since (a transfer, a re-dispatch) is
    preselected as the current one."""
    decision = None
    if case.center in model.centers and case.location in model.centers:
        decision = routing.route(model, case.category, case.severity, case.location)
    if decision is not None and decision.office == case.office:
        return case.office or "", "建议分流：" + route_words(model, decision.route)
    if case.office:
        return case.office, f"当前承办单位：{_office_name(model, case.office)}"
    return "", ""


def dispatch_choice(model: Any, case: Any, option: Any) -> Choice | None:
    options = dispatch_offices(model, case, option.target)
    if not options:
        return None
    office, reason = suggestion(model, case)
    selected = office if office in dict(options) else ""
    return Choice("office", "承办单位", options, selected, reason if selected else "")


def effect_choice(model: Any, case: Any, option: Any) -> Choice | None:
    """The select of a transfer (offices), push-down (centers) or diversion (channels)."""
    field = CHOICE_FIELD.get(option.effect)
    if field is None or not option.choices:
        return None
    names: dict[str, Any] = {
        "office": model.offices,
        "center": model.centers,
        "diversion": model.diversions,
    }[field]
    options = tuple((key, str(names[key].name) if key in names else key) for key in option.choices)
    return Choice(field, CHOICE_LABEL[field], options)


def with_choice(schema: dict[str, Any], choice: Choice) -> dict[str, Any]:
    """The form's schema with `choice.field` made a select of its options, the suggestion
    as the default (a fresh form preselects it)."""
    changed = copy.deepcopy(schema)
    node = changed.setdefault("properties", {}).setdefault(choice.field, {"type": "string"})
    for keyword in ("enum", "minLength", "maxLength", "pattern", "format"):
        node.pop(keyword, None)
    node["oneOf"] = [{"const": key, "title": words} for key, words in choice.options]
    if choice.selected:
        node["default"] = choice.selected
    if choice.reason:
        node["description"] = choice.reason
    return changed


def read_back(model: Any, case: Any, choice: Choice, typed: Any) -> Any:
    """The option's key for what was typed or sent: the key itself, its words, or (for an
    office) the center's name before them, 「书院街道司法所」; anything else as it came."""
    if not isinstance(typed, str):
        return typed
    text = typed.strip()
    keys = dict(choice.options)
    if text in keys:
        return text
    center = model.centers.get(case.center) if case is not None else None
    prefixes = ("",) if center is None else ("", center.key, center.name)
    for key, words in choice.options:
        for prefix in prefixes:
            if text in (prefix + key, prefix + words):
                return key
    return typed
