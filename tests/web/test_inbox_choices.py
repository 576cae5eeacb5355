"""admin/inbox_choices.py keeps its answers for the most recently used models only: a server
that lives through many published versions does not keep every version's choices forever."""

from __future__ import annotations

from types import SimpleNamespace

from admin import inbox_choices
from admin.inbox_choices import MODELS_KEPT, category_family, filter_options


def model(n: int) -> SimpleNamespace:
    cat = SimpleNamespace
    return SimpleNamespace(
        processes={},
        categories={
            "婚姻家庭": cat(name="婚姻家庭", parent=None),
            "离婚纠纷": cat(name="离婚纠纷", parent="婚姻家庭"),
            f"类别{n}": cat(name=f"类别{n}", parent=None),
        },
        severities={},
        levels={},
        channels={},
        centers={},
    )


def test_the_per_model_answers_are_bounded_and_stay_right() -> None:
    models = [model(n) for n in range(MODELS_KEPT * 3)]
    for n, each in enumerate(models):
        categories = dict(filter_options(each))["category"]
        assert (f"类别{n}", f"类别{n}") in categories
        assert category_family(each, "婚姻家庭") == ("婚姻家庭", "离婚纠纷")
    assert len(inbox_choices._OPTIONS) == MODELS_KEPT
    assert len(inbox_choices._FAMILIES) == MODELS_KEPT
    # an early model, forgotten, is worked out again with its own answer
    assert (
        "类别0",
        "类别0",
    ) in dict(filter_options(models[0]))["category"]
    assert category_family(models[0], "类别0") == ("类别0",)
    assert category_family(models[0], "不存在") == ("不存在",)
