"""What the inbox reads from the county's definition: its filters' choices, each category with
its sub-categories (the 事项类型 filter), and each center's level in the county's words.

Each is worked out once per compiled model (models are immutable) and kept with the model, so
a reused id never answers for another. A server lives through many published versions of many
counties, so only the most recently used MODELS_KEPT models' answers are kept: an older
version's are worked out again if a page asks for them (correct either way, only slower)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
# Models whose answers are kept: a county's current version and a few older ones (cases still
# running on them) for each of the counties a server holds.
MODELS_KEPT = 64


class PerModel(Generic[T]):
    """`build(model)` once per model, the least recently used beyond `size` forgotten."""

    def __init__(self, build: Callable[[Any], T], size: int = MODELS_KEPT) -> None:
        self._build = build
        self._size = size
        self._kept: OrderedDict[int, tuple[Any, T]] = OrderedDict()

    def __call__(self, model: Any) -> T:
        found = self._kept.get(id(model))
        if found is not None and found[0] is model:
            self._kept.move_to_end(id(model))
            return found[1]
        value = self._build(model)
        self._kept[id(model)] = (model, value)
        self._kept.move_to_end(id(model))
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._kept)


def _levels(model: Any) -> dict[str, str]:
    return {
        key: (model.levels[c.level].name if c.level in model.levels else c.level)
        for key, c in model.centers.items()
    }


_LEVELS: PerModel[dict[str, str]] = PerModel(_levels)


def center_levels(model: Any) -> dict[str, str]:
    """Each center's level in the county's words (孝南区中心 -> 县（市、区）级): a line shows
    the level of the center its ticket is at, which a revisit at the county center or an
    escalated case does not share with the case's routed level."""
    return {} if model is None else _LEVELS(model)


def _families(model: Any) -> dict[str, tuple[str, ...]]:
    """Each category with every category under it (sub-categories, theirs, ...), itself first."""
    children: dict[str, list[str]] = {}
    for key, category in model.categories.items():
        if category.parent is not None:
            children.setdefault(category.parent, []).append(key)
    families: dict[str, tuple[str, ...]] = {}
    for key in model.categories:
        found, todo = [key], list(children.get(key, ()))
        while todo:
            child = todo.pop(0)
            if child not in found:  # (the checker refuses cycles; never loop on one anyway)
                found.append(child)
                todo += children.get(child, ())
        families[key] = tuple(found)
    return families


_FAMILIES: PerModel[dict[str, tuple[str, ...]]] = PerModel(_families)


def category_family(model: Any, key: str) -> tuple[str, ...]:
    """What the 事项类型 filter `key` matches: the category and all its sub-categories
    (婚姻家庭 -> 婚姻家庭, 离婚纠纷, 赡养纠纷); a value the definition does not know matches
    itself only (and so, in practice, nothing)."""
    if model is None:
        return (key,)
    return _FAMILIES(model).get(key, (key,))


Options = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _options(model: Any) -> Options:
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
    return (
        ("step", tuple(steps.items())),
        ("category", tuple(categories)),
        ("severity", tuple((k, v.name) for k, v in model.severities.items())),
        ("level", tuple((k, v.name) for k, v in model.levels.items())),
        ("channel", tuple((k, v.name) for k, v in model.channels.items())),
    )


_OPTIONS: PerModel[Options] = PerModel(_options)


def filter_options(model: Any) -> Options:
    """The filters' choices from the county's definition, (value, words) each: the steps of
    its processes, its categories (each followed by its sub-categories), severities, levels
    and channels. Part of the cached shell's key, so a new version's choices show at once."""
    return () if model is None else _OPTIONS(model)
