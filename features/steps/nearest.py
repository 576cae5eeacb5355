"""A step nobody defined: which known wordings are closest, so that `yidi accept` says
「第 N 行的步骤没有定义，您是不是要写 …」, not pytest-bdd's raw StepDefinitionNotFoundError."""

from __future__ import annotations

import difflib
import re

from features.steps.phrases import CATALOGUE, shown

# Values change from scenario to scenario: compare the wording around them only.
_VALUE = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」|\d+(?:\.\d+)?')
_PLACEHOLDER = re.compile(r'"\{[^}]*\}"|\{[^}]*\}|<[^>]*>')


def _wording(text: str) -> str:
    return re.sub(r"\s+", "", _VALUE.sub("…", text))


def _pattern_wording(pattern: str) -> str:
    without_optional = re.sub(r"\[[^\]]*\]", "", pattern)
    return re.sub(r"\s+", "", _PLACEHOLDER.sub("…", without_optional)).rstrip("：:")


def nearest_steps(text: str, lang: str = "zh", n: int = 3) -> list[str]:
    """Up to `n` known step wordings (as the reference writes them) closest to `text`."""
    wording = _wording(text).rstrip("：:")
    candidates: dict[str, str] = {}
    for phrase in CATALOGUE:
        pattern = phrase.zh if lang == "zh" else phrase.en
        candidates.setdefault(_pattern_wording(pattern), shown(pattern))
    close = difflib.get_close_matches(wording, list(candidates), n=n, cutoff=0.4)
    return [candidates[c] for c in close]


def missing_step_message(path: str, line: int, keyword: str, text: str, lang: str) -> str:
    """The report of an undefined step: where it is, what it says, what was probably meant."""
    out = f"{path}:{line}: {keyword} {text}\n  第 {line} 行的步骤没有定义（步骤库里没有这样的写法）"
    close = nearest_steps(text, lang)
    if close:
        out += "。您是不是要写：\n" + "\n".join(f"    {keyword} {c}" for c in close)
    else:
        out += "。全部步骤的写法见 docs/acceptance.md"
    return out
