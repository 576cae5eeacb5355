"""A failed revisit (核查不通过) goes where the definition says: `回访 … 不通过 -> 调处`.

A verification step whose revisit names a fail target offers, besides its own actions,
「核查不通过」: it fills the step's revisit form, needs a reason, and reopens the case at that
step (the case was closed when the revisit was a sampled one). A closing or completing action
whose revisit form answers the settlement question with no (`settled` = 否) is the same
failure: the revisit found the matter unsettled, so the case does not close.
"""

from __future__ import annotations

from typing import Any

from dsl.model import Action, Step

FAIL_KEY = "核查不通过"
# The revisit form's answer to 「矛盾已实质化解」 (boolean in the seed forms, or a word).
SETTLED_FIELDS = ("settled", "已化解")
UNSETTLED_WORDS = ("否", "未化解", "不通过")


def fail_action(step: Step | None) -> Action | None:
    """The implicit 「核查不通过」 of a verification step with a fail target, unless the step
    declares an action of that name itself."""
    if step is None or step.kind != "verification" or step.revisit is None:
        return None
    target = step.revisit.on_fail
    if not target or any(a.key == FAIL_KEY for a in step.actions):
        return None
    return Action(key=FAIL_KEY, name=FAIL_KEY, effect="reopen", target=target, requires_reason=True)


def unsettled(data: dict[str, Any]) -> bool:
    for field in SETTLED_FIELDS:
        value = data.get(field)
        if value is False or (isinstance(value, str) and value in UNSETTLED_WORDS):
            return True
    return False


def effective(step: Step | None, action: Action, data: dict[str, Any]) -> Action:
    """The action as it acts: a closing or completing action on a revisit whose form says the
    matter is not settled acts as 「核查不通过」 (to the fail target)."""
    failing = fail_action(step)
    if failing is None or action.effect not in ("close", "complete") or not unsettled(data):
        return action
    return failing


def note(step: Step, action: Action) -> str:
    return f"核查不通过，回到「{action.target}」重新办理（{step.name}）"
