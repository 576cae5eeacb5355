# ruff: noqa: E501  -- expected messages are prose, kept on one line to grep
"""The prevention block of the language (dsl/prevention.py): what `yidi check` accepts, and
each refusal's Chinese message, on 如皋's definition with its prevention.yd rewritten."""

from __future__ import annotations

import pytest

import dsl
from dsl.loader import load_files
from dsl.model import County
from dsl.prevention_model import WarningRule
from tests.prevention.rugao import RUGAO

PREVENTION = (RUGAO / "prevention.yd").read_text(encoding="utf-8")
HEAD = PREVENTION.split("# 网格员每个工作日", 1)[0]


def compile_with(text: str, extra: dict[str, str] | None = None) -> tuple[County | None, list[str]]:
    files = load_files(RUGAO)
    files["prevention.yd"] = text
    files.update(extra or {})
    result = dsl.compile_files("rugao", files)
    return result.county, [d.message for d in result.diagnostics if d.severity == "error"]


def errors(text: str) -> list[str]:
    return compile_with(HEAD + text)[1]


SCREEN = """
排查 日查 {
  排查人 网格员 在 村
  周期 每日
  表单 十项排查
}
"""
RULE = """
预警 五次 {
  同一 地点, 事项
  次数 5
  时段 30 天
  预警等级 橙
  派给 调度员 在 镇
}
"""


def test_english_keywords_compile_to_the_same_rules() -> None:
    english = """
screening 日查 {
  screener 网格员 at 村
  cadence daily
  form 十项排查
}
warning_rule 五次 {
  same place, subject
  times 5
  within 30 days
  grade 橙
  assign 调度员 at 镇
}
"""
    chinese, _ = compile_with(HEAD + SCREEN + RULE)
    found, problems = compile_with(HEAD + english)
    assert problems == [] and chinese is not None and found is not None
    assert found.screenings == chinese.screenings
    rule = found.warning_rules["五次"]
    assert rule == WarningRule(
        key="五次", name="五次", same=("place", "category"), days=30, grade="橙",
        role="调度员", level="镇", times=5, line=rule.line,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("周期 每日", "周期 每年"), "未知的排查周期「每年」（可选：每日、每周、每半月、每月）"),
        (
            ("排查人 网格员 在 村", "排查人 网格员 在 镇"),
            "「镇」层级没有设有角色「网格员」的单位，排查任务无人承担",
        ),
        (
            ("排查人 网格员 在 村", "排查人 调解员 在 镇"),
            "「镇」层级有多个单位设有角色「调解员」（矛调中心、人民调解委员会、司法所），请用「单位 名称」指明由哪个单位排查",
        ),
        (
            ("排查人 网格员 在 村", "排查人 调解员 在 镇 单位 网格工作站"),
            "单位「网格工作站」没有入驻「镇」层级或没有角色「调解员」，无法承担排查",
        ),
        (
            ("表单 十项排查", "表单 十项检查"),
            "未定义的表单「十项检查」（找不到 forms/十项检查.json）",
        ),
        (("  周期 每日\n", ""), "缺少排查「日查」的周期（如：周期 每周）"),
    ],
)
def test_a_wrong_screening_is_refused_in_chinese(change: tuple[str, str], message: str) -> None:
    assert message in errors(SCREEN.replace(*change))


def test_a_screening_calendar_must_exist() -> None:
    found = errors(SCREEN.replace("表单 十项排查", "表单 十项排查\n  日历 村日历"))
    assert "未定义的日历「村日历」" in found


def test_screening_needs_the_screening_channel() -> None:
    files = load_files(RUGAO)
    files["county.yd"] = files["county.yd"].replace("信访 现场, 排查", "信访 现场")
    files["prevention.yd"] = HEAD + SCREEN
    result = dsl.compile_files("rugao", files)
    assert "声明了排查，但渠道中没有「排查」：排查发现的纠纷须以该渠道受理" in [
        d.message for d in result.diagnostics
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("同一 地点, 事项", "同一 地址"), "未知的关联维度「地址」（可选：当事人、地点、事项）"),
        (("次数 5", "次数 1"), "次数须为 2 到 1000 之间的整数（收到 1）"),
        (("次数 5", "来源数 1"), "来源数须为 2 到 1000 之间的整数（收到 1）"),
        (("次数 5\n", ""), "缺少预警「五次」的次数或来源数（如：次数 5）"),
        (("时段 30 天", "时段 3 小时"), "预警时段须以天计（如：时段 30 天）"),
        (("预警等级 橙", "预警等级 紫"), "未定义的颜色等级「紫」"),
        (("派给 调度员 在 镇", "派给 网格长 在 镇"), "未定义的角色「网格长」"),
        (("派给 调度员 在 镇", "派给 调度员 在 省"), "未定义的层级「省」"),
        (("  派给 调度员 在 镇\n", ""), "缺少预警「五次」的预警工单去向（如：派给 调度员 在 镇）"),
        (("  时段 30 天\n", ""), "缺少预警「五次」的时段（如：时段 30 天）"),
    ],
)
def test_a_wrong_warning_rule_is_refused_in_chinese(change: tuple[str, str], message: str) -> None:
    assert message in errors(RULE.replace(*change))


def test_rugao_declares_three_rounds_and_two_rules() -> None:
    county, problems = compile_with(PREVENTION)
    assert problems == [] and county is not None
    assert {k: s.cadence for k, s in county.screenings.items()} == {
        "网格日查": "day", "村周查": "week", "镇半月查": "half_month",
    }  # fmt: skip
    five = county.warning_rules["同一线索五次"]
    assert (five.times, five.sources, five.days, five.grade) == (5, 3, 30, "橙")


def test_adding_no_prevention_keeps_the_content_hash() -> None:
    """Counties without the block hash as before (fields left out while unset)."""
    files = load_files(RUGAO)
    del files["prevention.yd"]
    plain = dsl.compile_files("rugao", files).county
    assert plain is not None and plain.screenings == {} and plain.warning_rules == {}
    from dsl.hashing import canonical

    assert "screenings" not in canonical(plain) and "warning_rules" not in canonical(plain)
