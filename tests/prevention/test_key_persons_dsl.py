# ruff: noqa: E501  -- expected messages are prose, kept on one line to grep
"""The key-person declaration (重点人员, dsl/key_persons.py): what `yidi check` accepts and each
refusal's Chinese message, on 如皋's definition with its key-person block rewritten."""

from __future__ import annotations

import pytest

from dsl.prevention_model import KeyPersonRules
from tests.prevention.test_prevention_dsl import HEAD, compile_with, errors


def test_rugao_declares_its_categories_cadence_and_who_sees_full_data() -> None:
    county, problems = compile_with(HEAD + "重点人员 类别 三失一偏, 精神障碍 {\n  走访 每周\n}\n")
    assert problems == []
    assert county is not None
    # without 可见: the 负责人 of the top level (the responsible office always sees)
    assert county.key_persons == KeyPersonRules(
        categories=("三失一偏", "精神障碍"),
        cadence="week",
        full_view=(("负责人", "市"),),
        line=county.key_persons.line,
    )


def test_english_keywords_compile_to_the_same_rules() -> None:
    zh, _ = compile_with(
        HEAD + "重点人员 类别 三失一偏 {\n  走访 每月\n  可见 调度员 在 镇, 负责人 在 市\n}\n"
    )
    en, problems = compile_with(
        HEAD
        + "key_persons categories 三失一偏 {\n  visit monthly\n  full_view 调度员 at 镇, 负责人 at 市\n}\n"
    )
    assert problems == []
    assert zh is not None and en is not None and zh.key_persons is not None
    assert zh.key_persons.full_view == (("调度员", "镇"), ("负责人", "市"))
    assert en.key_persons == zh.key_persons


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("重点人员 类别 三失一偏 {\n}\n", "缺少重点人员的走访周期（如：走访 每月）"),
        (
            "重点人员 类别 三失一偏 {\n  走访 每年\n}\n",
            "未知的走访周期「每年」（可选：每日、每周、每半月、每月）",
        ),
        ("重点人员 类别 三失一偏, 三失一偏 {\n  走访 每月\n}\n", "重点人员类别「三失一偏」重复"),
        ("重点人员 类别 三失一偏 {\n  走访 每月\n  可见 局长 在 市\n}\n", "未定义的角色「局长」"),
        ("重点人员 类别 三失一偏 {\n  走访 每月\n  可见 负责人 在 省\n}\n", "未定义的层级「省」"),
        (
            "重点人员 类别 三失一偏 {\n  走访 每月\n}\n重点人员 类别 精神障碍 {\n  走访 每月\n}\n",
            "「重点人员」只能声明一次（类别请写在同一句里）",
        ),
    ],
)
def test_yidi_check_refuses_bad_declarations_in_chinese(block: str, message: str) -> None:
    assert message in errors(block)
