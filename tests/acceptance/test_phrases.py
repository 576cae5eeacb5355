"""The step notation: quotes of every kind, optional parts, parameters named per language."""

from __future__ import annotations

import re

import pytest

import features.steps  # noqa: F401  -- fills the catalogue
from features.steps.phrases import CATALOGUE, arguments, params, shown


def match(zh: str, en: str, text: str) -> dict[str, str | None] | None:
    return arguments(zh, params(en), text)


def test_quotes_of_every_kind_and_spacing() -> None:
    zh, en = (
        '"{角色}" 在 "{地点}" 执行 "{动作}"',
        'the "{role}" at "{place}" takes action "{action}"',
    )
    expected = {"role": "承办人", "place": "司法所（书院街道）", "action": "接收"}
    assert match(zh, en, '"承办人" 在 "司法所（书院街道）" 执行 "接收"') == expected
    assert match(zh, en, "“承办人”在“司法所（书院街道）”执行“接收”") == expected
    assert match(zh, en, "「承办人」 在 「司法所（书院街道）」 执行 「接收」") == expected
    assert match(zh, en, '"承办人" 在 "司法所" 办理 "接收"') is None


def test_optional_part_with_a_value_and_full_width_comma() -> None:
    zh = '"{角色}" 在 "{地点}" 中止办理，理由 "{理由}"[，审批人 "{审批人}"]'
    en = (
        'the "{role}" at "{place}" suspends the case with reason "{reason}"'
        '[, approved by "{approver}"]'
    )
    with_approver = match(zh, en, '"承办人" 在 "东镇" 中止办理, 理由 "住院"，审批人 "王所长"')
    assert with_approver == {
        "role": "承办人",
        "place": "东镇",
        "reason": "住院",
        "approver": "王所长",
    }
    without = match(zh, en, '"承办人" 在 "东镇" 中止办理，理由 "住院"')
    assert without is not None and without["approver"] is None


def test_a_chinese_placeholder_may_name_its_parameter_when_the_order_differs() -> None:
    zh = '在 "{中心=center}" 的 "{窗口=window}" 登记案件：'
    en = 'a case is registered at window "{window}" of "{center}":'
    assert match(zh, en, '在 "东镇" 的 "综合窗口" 登记案件：') == {
        "center": "东镇",
        "window": "综合窗口",
    }
    assert shown(zh) == '在 "{中心}" 的 "{窗口}" 登记案件：'


def test_numbers_and_words() -> None:
    zh, en = "过了 {数量} <单位>", "{amount} <unit> pass"
    assert match(zh, en, "过了 3 个工作日") == {"amount": "3", "unit": "个工作日"}
    assert match(zh, en, "过了 三 天") is None


@pytest.mark.parametrize("item", CATALOGUE, ids=lambda p: p.en)
def test_every_step_has_both_wordings_with_the_same_parameters(item: object) -> None:
    from features.steps.phrases import Phrase

    assert isinstance(item, Phrase)
    names = params(item.en)
    zh_names = [n for n in re.findall(r"=(\w+)[}>]", item.zh)]
    assert len(params(item.zh)) == len(names)
    assert set(zh_names) <= set(names)
    # the examples are real steps: each matches its own wording once the keyword is removed
    for pattern, example in ((item.zh, item.example_zh), (item.en, item.example_en)):
        body = example.split(" ", 1)[1]
        assert arguments(pattern, names, body) is not None, (pattern, example)


def test_a_quoted_value_may_itself_contain_corner_brackets() -> None:
    zh, en = '操作被拒绝，提示包含 "{提示}"', 'the action is refused with "{message}"'
    found = match(zh, en, '操作被拒绝，提示包含 "不满足「交信访局」的条件"')
    assert found == {"message": "不满足「交信访局」的条件"}


def test_two_quoted_values_are_never_read_as_one() -> None:
    county = ('"{期间}" 的统计为：', 'the figures for "{period}" are:')
    center = ('"{中心}" 在 "{期间}" 的统计为：', 'the figures of "{center}" for "{period}" are:')
    text = '"新华街道" 在 "2026-11" 的统计为：'
    assert match(*county, text) is None
    assert match(*center, text) == {"center": "新华街道", "period": "2026-11"}
    assert match(*center, "「新华街道」 在 「2026-11」 的统计为：") == {
        "center": "新华街道",
        "period": "2026-11",
    }
