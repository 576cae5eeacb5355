"""Outcome meanings (结果类别): `结果 化解成功 类别 调解成功` says what an outcome counts as.

The figures (化解率, 调解成功率 ...) count meanings, never outcome names: a county may call its
mediated success 化解成功 or 调解成功, and only its declaration tells the engine which it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from lark import Token

from dsl import syntax as s
from dsl.context import Context
from dsl.model import OUTCOME_MEANINGS, County
from dsl.organisation import Located, walk

# Chinese and English words for each meaning -> its key
_WORDS: Mapping[str, str] = {word: key for key, words in OUTCOME_MEANINGS.items() for word in words}
OUTCOME = ("结果", "outcome")


def meaning_label(key: str) -> str:
    """The Chinese word for a meaning key (what the console shows)."""
    return OUTCOME_MEANINGS[key][0] if key in OUTCOME_MEANINGS else key


def outcome_meanings(ctx: Context, decls: Located[s.OutcomeDecl]) -> dict[str, str]:
    """Outcome name -> meaning key; an unknown meaning or a second declaration is an error."""
    found: dict[str, str] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, OUTCOME):
            continue
        key = _WORDS.get(str(decl.meaning))
        if key is None:
            words = "、".join(words[0] for words in OUTCOME_MEANINGS.values())
            words_en = ", ".join(words[1] for words in OUTCOME_MEANINGS.values())
            ctx.report(
                decl.meaning,
                f"未知的结果类别「{decl.meaning}」（可选：{words}）",
                f"unknown outcome meaning '{decl.meaning}' (known: {words_en})",
            )
            continue
        found[str(decl.name)] = key
    return found


def recorded_outcomes(county: County) -> dict[str, Token | str]:
    """Every outcome an action records, or a diversion records by default (分流)."""
    found: dict[str, Token | str] = {}
    for process in county.processes.values():
        for step in process.steps.values():
            for action in step.actions:
                if action.outcome:
                    found.setdefault(action.outcome, action.outcome)
                elif action.effect == "divert":
                    found.setdefault("分流", "分流")
    return found


def check_outcomes(ctx: Context, county: County, decls: Located[s.OutcomeDecl]) -> None:
    """Warnings: an outcome recorded without a meaning, a meaning declared for an outcome no
    action records (it would never count), and 调解成功率 with nothing to count."""
    declared = {str(decl.name): (path, decl) for path, decl in decls}
    recorded = recorded_outcomes(county)
    home = ctx.path
    for name in recorded:
        if name not in county.outcomes and name not in declared:
            ctx.report(
                None,
                f"结果「{name}」没有声明类别（如：结果 {name} 类别 化解），统计时不计为化解",
                f"outcome '{name}' has no declared meaning (e.g. 结果 {name} 类别 化解); "
                "the figures do not count it as resolved",
                severity="warning",
                path=home,
            )
    for name, (path, decl) in declared.items():
        if name not in recorded:
            ctx.report(
                decl.name,
                f"结果「{name}」没有任何动作记录，它的类别不会计入统计",
                f"no action records the outcome '{name}': its meaning never counts",
                severity="warning",
                path=path,
            )
    counted = {county.outcomes[name] for name in recorded if name in county.outcomes}
    if recorded and "mediated" not in counted:
        ctx.report(
            None,
            "没有任何结果声明为「调解成功」类别，调解成功率无从统计"
            "（如：结果 化解成功 类别 调解成功）",
            "no recorded outcome means 'mediated': the mediation success rate cannot count "
            "anything (e.g. outcome 化解成功 meaning mediated)",
            severity="warning",
            path=home,
        )
