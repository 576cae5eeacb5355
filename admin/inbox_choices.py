"""What the inbox reads from the county's definition: its filters' choices and each center's
level in the county's words. Both per compiled model (models are immutable and live as long
as the process), kept with the model so a reused id never answers for another."""

from __future__ import annotations

from typing import Any

_LEVELS: dict[int, tuple[Any, dict[str, str]]] = {}


def center_levels(model: Any) -> dict[str, str]:
    """Each center's level in the county's words (孝南区中心 -> 县（市、区）级): a line shows
    the level of the center its ticket is at, which a revisit at the county center or an
    escalated case does not share with the case's routed level. Per compiled model (they are
    immutable and live as long as the process), kept with the model so an id is never reused."""
    if model is None:
        return {}
    found = _LEVELS.get(id(model))
    if found is not None and found[0] is model:
        return found[1]
    levels = {
        key: (model.levels[c.level].name if c.level in model.levels else c.level)
        for key, c in model.centers.items()
    }
    _LEVELS[id(model)] = (model, levels)
    return levels


Options = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
_OPTIONS: dict[int, tuple[Any, Options]] = {}


def filter_options(model: Any) -> Options:
    """The filters' choices from the county's definition, (value, words) each: the steps of
    its processes, its categories (each followed by its sub-categories), severities, levels
    and channels. Part of the cached shell's key, so a new version's choices show at once."""
    if model is None:
        return ()
    found = _OPTIONS.get(id(model))
    if found is not None and found[0] is model:
        return found[1]
    steps: dict[str, str] = {}
    for process in model.processes.values():
        for step in process.steps.values():
            if step.kind != "end":
                steps.setdefault(step.key, step.name)
    categories: list[tuple[str, str]] = []
    for key, category in model.categories.items():
        if category.parent is None:
            categories.append((key, category.name))
            categories += [
                (k, f"{category.name} · {c.name}")
                for k, c in model.categories.items()
                if c.parent == key
            ]
    options: Options = (
        ("step", tuple(steps.items())),
        ("category", tuple(categories)),
        ("severity", tuple((k, v.name) for k, v in model.severities.items())),
        ("level", tuple((k, v.name) for k, v in model.levels.items())),
        ("channel", tuple((k, v.name) for k, v in model.channels.items())),
    )
    _OPTIONS[id(model)] = (model, options)
    return options
