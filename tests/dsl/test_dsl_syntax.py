"""Syntax errors: Chinese messages saying what was expected, all of them, in every file."""

from __future__ import annotations

from dsl_samples import BASE, county_files, problems, replace_line

import dsl


def test_a_missing_name_says_what_was_expected() -> None:
    files = county_files(replace_line(6, "中心 县中心 层级"))
    assert problems(files) == [
        ("county.yd", 6, 10, "error", "此处应为 名称、带引号的文字，却是换行")
    ]
    [d] = dsl.compile_files("t", files).diagnostics
    assert d.message_en == "expected a name, a quoted text here, found a line break"


def test_a_misspelled_keyword_gets_a_did_you_mean() -> None:
    files = county_files(replace_line(6, "中欣 县中心 层级 县"))
    [d] = dsl.compile_files("t", files).diagnostics
    assert (d.line, d.column) == (6, 1)
    assert d.message.startswith("此处应为 「中心」、「中心名单」")
    assert d.message.endswith("，却是「中欣」")
    assert d.hint == "您是不是要写「中心」？"


def test_unknown_characters_are_named() -> None:
    files = county_files(replace_line(8, "角色 窗口人员, 调度员!, 调解员"))
    [d] = dsl.compile_files("t", files).diagnostics
    assert (d.line, d.column, d.message) == (8, 13, "无法识别的字符「!」")


def test_every_line_with_an_error_is_reported_in_one_run() -> None:
    text = replace_line(6, "中欣 县中心 层级 县")
    text = replace_line(20, "等级 一般 较大", text)
    text = replace_line(27, "    动作 派发 -> ", text)
    lines = [line for _, line, _, _, _ in problems(county_files(text))]
    assert lines == [6, 20, 27]


def test_errors_of_every_file_are_reported() -> None:
    files = county_files(
        BASE,
        **{"b.yd": "角色 甲 乙\n", "c.yd": "单位 丙 {\n  驻点 常住\n}\n"},
    )
    found = [(path, line, column) for path, line, column, _, _ in problems(files)]
    assert found == [("b.yd", 1, 6), ("c.yd", 2, 6)]


def test_a_missing_closing_brace_is_explained() -> None:
    text = BASE.rstrip().removesuffix("}")
    [d] = dsl.compile_files("t", county_files(text)).diagnostics
    assert d.message.endswith("却是文件结尾")
    assert d.hint == "是否少写了右花括号「}」？"


def test_keywords_are_only_keywords_where_they_are_allowed() -> None:
    # 流程, 中心 and 12345 as ordinary names; numbers touching their unit.
    text = BASE.replace(
        "角色 窗口人员, 调度员, 调解员", "角色 窗口人员, 调度员, 调解员, 流程, 中心"
    )
    text = text.replace("    动作 派发 -> 办理", "    动作 派发 -> 办理\n    时限 3天")
    county = dsl.compile_files("t", county_files(text)).county
    assert county is not None
    assert {"流程", "中心"} <= set(county.roles)
    assert "12345" in county.channels
    assert str(county.processes["简易"].steps["派单"].deadline).startswith(
        "Deadline(default=Duration(amount=3, unit='day')"
    )


def test_english_keywords_are_equivalent() -> None:
    english = """\
county 测试县 {
  code CS
  intake_form 受理
}
levels 县, 镇
center 县中心 level 县
center 城关镇 level 镇 parent 县中心 tags 城区
roles 窗口人员, 调度员, 调解员
office 综治中心 {
  roles 窗口人员, 调度员, 调解员
  levels 县, 镇
}
office 司法所 {
  roles 调解员
  stationing rotating 周二, 周四
  levels 镇
}
window 综合窗口 universal offices 综治中心 levels 县
categories 婚姻家庭 { 离婚纠纷 }, 邻里纠纷
severities 一般, 较大
channels 来访 in_person, 12345, 线上
route severity 一般 -> 镇 司法所
fallback window 综合窗口 office 综治中心
process 简易 {
  step 派单 {
    actor 调度员 at center
    action 派发 -> 办理
  }
  step 办理 {
    actor 调解员 at routed_office
    action 化解 close
    action 退回 return -> 派单
  }
}
"""
    chinese = dsl.compile_files("t", county_files()).county
    translated = dsl.compile_files("t", county_files(english)).county
    assert chinese is not None and translated is not None
    assert chinese.content_hash == translated.content_hash
