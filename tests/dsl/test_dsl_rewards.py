"""`计件奖励 调解成功 200 元, 司法确认 100 元` (dsl/rewards.py): what compiles and what
`yidi check` refuses, with the message an administrator reads."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl

LUCHENG = Path(__file__).resolve().parents[2] / "definitions" / "lucheng"
DECLARED = "计件奖励 调解成功 200 元, 司法确认 100 元"


def compiled(rates: str) -> tuple[object, list[str]]:
    files = dsl.load_files(LUCHENG)
    files["county.yd"] = files["county.yd"].replace(DECLARED, rates)
    result = dsl.compile_files("lucheng", files)
    return result.county, [d.message for d in result.diagnostics if d.severity == "error"]


def test_the_seed_declares_rates_per_meaning() -> None:
    county, errors = compiled(DECLARED)
    assert errors == []
    assert county.reward_rates == {"mediated": 200, "confirmed": 100}  # type: ignore[attr-defined]


def test_english_keywords_and_no_unit() -> None:
    county, errors = compiled("reward mediated 150, confirmed 80 yuan")
    assert errors == []
    assert county.reward_rates == {"mediated": 150, "confirmed": 80}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ("计件奖励 调解顺利 200 元", "计件奖励的结果类别「调解顺利」未知"),
        ("计件奖励 调解成功 200 元, 调解成功 300 元", "计件奖励重复声明了「调解成功」"),
        ("计件奖励 调解成功 0 元", "计件奖励金额「0」应为 1 到 1000000 之间的整数（元）"),
        ("计件奖励 调解成功 12.5 元", "计件奖励金额「12.5」应为 1 到 1000000 之间的整数（元）"),
        ("计件奖励 诉讼 50 元", "没有任何结果声明为「诉讼」类别，这条计件奖励永远不会计入台账"),
    ],
)
def test_bad_rates_are_refused(rates: str, message: str) -> None:
    county, errors = compiled(rates)
    assert county is None
    assert any(message in error for error in errors), errors
