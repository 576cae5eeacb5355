"""`yidi check` messages an administrator met and was misled by (issue 18): each says what is
wrong in words that lead to the fix."""

from __future__ import annotations

import json

from dsl_samples import BASE, FORM, county_files, problems

import dsl
from dsl.model import Duration

DISPATCH = "    动作 派发 -> 办理\n"


def with_deadline(text: str) -> str:
    return BASE.replace(DISPATCH, DISPATCH + text)


def test_a_count_of_working_days_may_be_written_with_the_measure_word() -> None:
    # The Gherkin steps themselves write 「3 个工作日」, and 「3 个月」 was already accepted.
    result = dsl.compile_files("t", county_files(with_deadline("    时限 3 个工作日\n")))
    assert result.diagnostics == []
    assert result.county is not None
    deadline = result.county.processes["简易"].steps["派单"].deadline
    assert deadline is not None and deadline.default == Duration(3, "workday")


def test_a_full_width_brace_is_one_error_that_names_the_half_width_sign() -> None:
    files = county_files(BASE.replace("县区 测试县 {", "县区 测试县 ｛"))
    assert problems(files) == [("county.yd", 1, 8, "error", "全角字符「｛」：请改用半角「{」")]
    [d] = dsl.compile_files("t", files).diagnostics
    assert "双引号" not in d.text()


def test_a_full_width_colon_after_a_keyword_says_no_colon_is_written() -> None:
    files = county_files(BASE.replace("  编码 CS", "  编码：CS"))
    assert problems(files) == [
        ("county.yd", 2, 5, "error", "全角冒号「：」：关键字与取值之间用空格分隔，不写冒号")
    ]


def test_a_full_width_colon_in_a_time_names_the_half_width_colon() -> None:
    calendar = "日历 日 {\n  上班时间 8：30 - 17:30\n}\n"
    files = county_files(BASE.replace("流程 简易 {", calendar + "流程 简易 {"))
    assert problems(files) == [("county.yd", 25, 9, "error", "全角字符「：」：请改用半角「:」")]


def test_full_width_signs_inside_quoted_labels_are_text() -> None:
    files = county_files(
        BASE.replace("中心 县中心 层级 县", '中心 县中心 "县中心（一站式）" 层级 县')
    )
    assert problems(files) == []


def test_a_fraction_share_says_to_write_a_percentage_or_a_decimal() -> None:
    text = with_deadline("    时限 {\n      等级 一般 3 天\n      到 2/3 提醒\n    }\n")
    assert problems(county_files(text)) == [
        ("county.yd", 30, 9, "error", "比例不能写成分数：请写成百分数或小数，如 67% 或 0.67")
    ]


def test_split_working_hours_are_said_to_be_unsupported() -> None:
    calendar = "日历 日 {\n  上班时间 8:30 - 12:00, 14:00 - 17:30\n}\n"
    files = county_files(BASE.replace("流程 简易 {", calendar + "流程 简易 {"))
    assert problems(files) == [
        (
            "county.yd",
            25,
            20,
            "error",
            "上班时间只能写一段（如 8:30 - 17:30）：暂不支持分段（如午休）",
        )
    ]


def test_a_trailing_comma_in_a_form_is_named_in_chinese_at_the_comma() -> None:
    text = '{\n  "title": "受理",\n  "type": "object",\n'
    text += '  "properties": {"a": {"type": "string"},\n  }\n}'
    files = {**county_files(), "forms/受理.json": text}
    assert problems(files) == [
        (
            "forms/受理.json",
            4,
            41,
            "error",
            "不是有效的 JSON（第 4 行第 41 列）："
            "最后一项后面多了一个逗号「,」：JSON 不允许末尾逗号，请删去",
        )
    ]


def test_other_json_errors_are_in_chinese_with_line_and_column() -> None:
    files = {**county_files(), "forms/受理.json": '{\n  "title" "受理"\n}'}
    [(_, line, column, _, message)] = problems(files)
    assert (line, column) == (2, 11)
    assert message == "不是有效的 JSON（第 2 行第 11 列）：此处缺少冒号「:」"


def test_an_unknown_format_is_reported_at_its_own_field() -> None:
    form = json.loads(json.dumps(FORM))
    form["properties"]["summary"]["format"] = "date"  # a valid format written earlier
    form["properties"]["金额"] = {"type": "string", "title": "电话", "format": "telephone"}
    text = json.dumps(form, ensure_ascii=False, indent=2)
    [(_, line, _, _, message)] = problems({**county_files(), "forms/受理.json": text})
    assert message.startswith("/properties/金额/format: 未知的格式「telephone」")
    assert text.splitlines()[line - 1].strip() == '"format": "telephone"'


def test_a_condition_naming_a_field_by_its_title_says_the_form_exists_and_names_the_key() -> None:
    text = BASE.replace(
        "    办理人 调解员 @ 承办单位\n", "    办理人 调解员 @ 承办单位\n    表单 受理\n"
    )
    text = text.replace("    动作 化解 办结\n", "    动作 化解 办结 当 表单.纠纷概要 已填\n")
    files = county_files(text)
    [d] = dsl.compile_files("t", files).diagnostics
    assert "未定义的表单" not in d.message
    assert d.message.startswith(
        "表单「受理」中没有键为「纠纷概要」的字段：条件中的「表单.…」写字段的键"
    )
    assert d.hint == "「纠纷概要」是字段的标题，条件中请写它的键「summary」"
