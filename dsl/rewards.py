"""Per-case rewards (调解计件奖励): `计件奖励 调解成功 200 元, 司法确认 100 元`.

A county that pays its third-party mediators per case declares the amount per outcome meaning
(结果类别, see dsl/outcomes.py); the monthly reward ledger (engine/reports/rewards.py) counts
the outcomes recorded in the month and multiplies. A rate no outcome can ever earn is refused:
it would be an inert rule.
"""

from __future__ import annotations

from collections.abc import Mapping

from dsl import syntax as s
from dsl.context import Context
from dsl.model import OUTCOME_MEANINGS
from dsl.organisation import Located, walk

_WORDS = {word: key for key, words in OUTCOME_MEANINGS.items() for word in words}
MAX_RATE = 1_000_000  # yuan per case; beyond it the figure is a typing mistake


def reward_rates(
    ctx: Context, decls: Located[s.RewardDecl], outcomes: Mapping[str, str]
) -> dict[str, int]:
    """Meaning key -> yuan per case. Errors: an unknown meaning, a meaning rated twice, an
    amount that is not a whole number of yuan, a meaning no declared outcome has."""
    found: dict[str, int] = {}
    for decl in walk(ctx, decls):
        for word, amount in decl.rates:
            key = _WORDS.get(str(word))
            if key is None:
                words = "、".join(w[0] for w in OUTCOME_MEANINGS.values())
                ctx.report(
                    word,
                    f"计件奖励的结果类别「{word}」未知（可选：{words}）",
                    f"unknown outcome meaning '{word}' in the reward rates",
                )
                continue
            if key in found:
                ctx.report(
                    word,
                    f"计件奖励重复声明了「{word}」",
                    f"reward rate for '{word}' declared twice",
                )
                continue
            text = str(amount)
            if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_RATE:
                ctx.report(
                    amount,
                    f"计件奖励金额「{text}」应为 1 到 {MAX_RATE} 之间的整数（元）",
                    f"reward amount '{text}' must be a whole number of yuan, 1 to {MAX_RATE}",
                )
                continue
            if key not in outcomes.values():
                ctx.report(
                    word,
                    f"没有任何结果声明为「{word}」类别，这条计件奖励永远不会计入台账"
                    f"（如：结果 调解成功 类别 {word}）",
                    f"no outcome means '{word}': this reward rate would never count",
                )
                continue
            found[key] = int(text)
    return found
