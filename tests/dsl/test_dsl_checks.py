"""Semantic checks: every problem reported, each at its exact path:line:column."""

from __future__ import annotations

import json

from dsl_samples import BASE, county_files, problems, replace_line

import dsl


def insert_after(number: int, new: str, text: str = BASE) -> str:
    lines = text.splitlines()
    lines.insert(number, new)
    return "\n".join(lines) + "\n"


def test_the_base_county_is_clean() -> None:
    result = dsl.compile_files("test", county_files())
    assert result.diagnostics == []
    assert result.county is not None


def test_undefined_severity_in_a_route_suggests_the_close_name() -> None:
    files = county_files(replace_line(22, "分派 等级 一搬 -> 镇 司法所"))
    result = dsl.compile_files("test", files)
    [d] = result.diagnostics
    assert (d.path, d.line, d.column, d.message) == ("county.yd", 22, 7, "未定义的等级「一搬」")
    assert d.hint == "您是不是要写「一般」？"
    assert d.message_en == "undefined severity grade '一搬'"
    assert result.county is None


def test_undefined_office_and_caret_by_display_width() -> None:
    files = county_files(replace_line(22, "分派 等级 一般 -> 镇 司法局"))
    [d] = dsl.compile_files("test", files).diagnostics
    assert (d.line, d.column) == (22, 15)
    assert dsl.format_diagnostic(d, files) == (
        "county.yd:22:15: 未定义的单位「司法局」（您是不是要写「司法所」？）\n"
        "分派 等级 一般 -> 镇 司法局\n" + " " * 21 + "^"
    )
    english = dsl.format_diagnostic(d, files, lang="en")
    assert english.splitlines()[0] == (
        "county.yd:22:15: undefined office '司法局' (did you mean '司法所'?)"
    )


def test_undefined_role_of_an_actor() -> None:
    files = county_files(replace_line(26, "    办理人 调度 @ 中心"))
    assert problems(files) == [("county.yd", 26, 9, "error", "未定义的角色「调度」")]


def test_a_statement_written_twice_in_a_block() -> None:
    files = county_files(replace_line(27, "    办理人 调度员 @ 中心"))
    assert ("county.yd", 27, 5, "error", "此项在同一处重复书写，只能写一次") in problems(files)


def test_a_broken_target_reports_the_target_and_the_flow_problems_it_causes() -> None:
    files = county_files(replace_line(27, "    动作 派发 -> 办里"))
    assert problems(files) == [
        (
            "county.yd",
            25,
            6,
            "error",
            "从步骤「派单」出发，案件永远无法办结（到不了结束步骤或办结动作）",
        ),
        ("county.yd", 27, 14, "error", "未定义的步骤「办里」"),
        ("county.yd", 29, 6, "error", "步骤「办理」从开始步骤「派单」无法到达"),
    ]


def test_duplicate_names_point_at_the_second_one() -> None:
    files = county_files(replace_line(8, "角色 窗口人员, 调度员, 调解员, 调度员"))
    assert problems(files) == [
        ("county.yd", 8, 20, "error", "角色「调度员」重复定义（第一次定义在 county.yd 第8行）")
    ]


def test_duplicate_steps_across_a_process() -> None:
    text = insert_after(33, "  步骤 办理 {\n    办理人 调解员 @ 承办单位\n    动作 好 办结\n  }")
    assert problems(county_files(text)) == [
        ("county.yd", 34, 6, "error", "步骤「办理」重复定义（第一次定义在 county.yd 第29行）")
    ]


def test_invalid_durations() -> None:
    text = insert_after(32, "    时限 0 天")
    assert problems(county_files(text)) == [
        ("county.yd", 33, 8, "error", "无效的时长「0 天」：须为 1 到 100000 之间的整数")
    ]
    text = insert_after(32, "    时限 3 星期")
    [(_, line, column, _, message)] = problems(county_files(text))
    assert (line, column, message) == (33, 10, "未定义的时间单位「星期」")


def test_unreachable_and_never_finishing_steps() -> None:
    orphan = "  步骤 孤立 {\n    办理人 调解员 @ 承办单位\n    动作 结 办结\n  }"
    assert problems(county_files(insert_after(33, orphan))) == [
        ("county.yd", 34, 6, "error", "步骤「孤立」从开始步骤「派单」无法到达")
    ]
    loop = replace_line(31, "    动作 化解 -> 办理")
    loop = replace_line(32, "    动作 再办 -> 派单", loop)
    assert problems(county_files(loop)) == [
        ("county.yd", 24, 4, "error", "流程「简易」没有结束步骤或办结动作，案件永远无法办结")
    ]


def test_bad_conditions() -> None:
    cases = {
        "    动作 化解 办结 当 案件.等级 == 特大": (31, 25, "未定义的等级「特大」"),
        "    动作 化解 办结 当 案件.颜值 == 红": (
            31, 16, "案件没有「颜值」这一项；可用："
            "中心、事项类型、层级、来访次数、渠道、等级、类型、颜色"
        ),
        "    动作 化解 办结 当 数据.金额 > 多": (31, 24, "比较大小时右边须为数字"),
        "    动作 化解 办结 当 资料.金额 > 3": (31, 16, "未定义的数据路径开头「资料.金额」"),
    }  # fmt: skip
    for line, (number, column, message) in cases.items():
        found = problems(county_files(replace_line(31, line)))
        assert found == [("county.yd", number, column, "error", message)], line


def test_good_conditions_compile_to_the_model() -> None:
    text = replace_line(
        31, "    动作 化解 办结 当 案件.等级 属于 [一般, 较大] 且 非 数据.金额 >= 1000.5"
    )
    county = dsl.compile_files("test", county_files(text)).county
    assert county is not None
    condition = county.processes["简易"].steps["办理"].actions[0].condition
    assert repr(condition) == (
        "AllOf(parts=(Comparison(path='case.severity', op='in', value=('一般', '较大')), "
        "Not(part=Comparison(path='data.amount', op='>=', value=1000.5))))"
    ).replace("data.amount", "data.金额")


def test_routing_gaps_are_warnings_when_there_is_no_fallback() -> None:
    result = dsl.compile_files("test", county_files(replace_line(23, "")))
    assert result.county is not None  # warnings only
    # One missing severity rule is one slip: one warning at the severity, not one per category.
    assert [(d.line, d.column, d.severity, d.message) for d in result.diagnostics] == [
        (20, 8, "warning", "等级「较大」没有任何分派规则（哪个事项类型都分派不到），也没有兜底"),
    ]


def test_a_gap_of_some_categories_only_is_warned_per_category() -> None:
    text = replace_line(23, "分派 事项 邻里纠纷 等级 较大 -> 镇 司法所")
    result = dsl.compile_files("test", county_files(text))
    assert [(d.line, d.column, d.severity, d.message) for d in result.diagnostics] == [
        (19, 6, "warning", "事项「婚姻家庭」在等级 较大 下没有分派规则，也没有兜底"),
        (19, 13, "warning", "事项「离婚纠纷」在等级 较大 下没有分派规则，也没有兜底"),
    ]


def test_office_not_stationed_at_the_route_level() -> None:
    files = county_files(replace_line(22, "分派 等级 一般 -> 县 司法所"))
    assert problems(files) == [
        ("county.yd", 22, 15, "error", "单位「司法所」没有入驻县级中心，不能在县级承办")
    ]


def test_missing_and_invalid_form_files() -> None:
    files = county_files(replace_line(3, "  受理表单 受理单"))
    assert problems(files) == [
        ("county.yd", 3, 8, "error", "未定义的表单「受理单」（找不到 forms/受理单.json）")
    ]
    broken = county_files(**{"forms__受理_dot_json": '{\n  "type": }'})
    [(path, line, column, _, message)] = problems(broken)
    assert (path, line, column) == ("forms/受理.json", 2, 11)
    assert message.startswith("不是有效的 JSON")
    wrong = county_files(**{"forms__受理_dot_json": json.dumps({"type": "objekt"})})
    assert problems(wrong) == [
        (
            "forms/受理.json",
            1,
            2,
            "error",
            '/type: 不是有效的 JSON Schema：「type」的取值 "objekt" 不正确',
        )
    ]


def test_every_semantic_error_in_one_run() -> None:
    text = replace_line(22, "分派 等级 一搬 -> 镇 司法局")
    text = replace_line(26, "    办理人 调度 @ 中心", text)
    found = [(line, column) for _, line, column, _, _ in problems(county_files(text))]
    assert found == [(22, 7), (22, 15), (26, 9)]


def test_rotating_needs_valid_weekdays() -> None:
    files = county_files(replace_line(15, "  驻点 轮驻 周二, 礼拜四"))
    assert problems(files) == [("county.yd", 15, 13, "error", "未定义的星期「礼拜四」")]


def test_a_rotation_on_weekend_days_only_is_refused_naming_the_office_and_days() -> None:
    files = county_files(replace_line(15, "  驻点 轮驻 周六, 周日"))
    [problem] = problems(files)
    assert problem[:4] == ("county.yd", 15, 6, "error")
    assert problem[4].startswith("单位「司法所」轮驻 周六、周日：这些日子不是县日历的普通工作日")
    # one ordinary working day is enough: its deadlines count that day
    assert problems(county_files(replace_line(15, "  驻点 轮驻 周五, 周六"))) == []


def test_parent_must_be_a_higher_level() -> None:
    text = replace_line(7, "中心 城关镇 层级 县 上级 县中心")
    assert ("county.yd", 7, 16, "error") in [p[:4] for p in problems(county_files(text))]


def test_form_conditions_name_fields_of_the_form() -> None:
    text = replace_line(30, "    办理人 调解员 @ 承办单位\n    表单 受理")
    good = replace_line(32, "    动作 化解 办结 当 表单.summary 已填", text)
    assert problems(county_files(good)) == []
    bad = replace_line(32, "    动作 化解 办结 当 表单.sumary 已填", text)
    [(path, line, column, _, message)] = problems(county_files(bad))
    assert (path, line, column, message) == (
        "county.yd",
        32,
        19,
        "表单「受理」中没有键为「sumary」的字段：条件中的「表单.…」写字段的键（JSON 中 properties "
        "下的名称），不是标题；该表单的键有：category、location、severity、summary、人数、金额",
    )
    [d] = dsl.compile_files("t", county_files(bad)).diagnostics
    assert d.hint == "您是不是要写「summary」？"


def test_ui_hints_naming_a_missing_field_point_into_the_ui_file() -> None:
    ui = '{\n  "order": ["summary", "nothing"]\n}'
    files = county_files(**{"forms__受理_dot_ui_dot_json": ui})
    assert problems(files) == [
        ("forms/受理.ui.json", 2, 3, "error", "/order/1: 表单中没有字段「nothing」")
    ]


def test_routed_steps_need_their_role_in_every_office_routing_can_choose() -> None:
    text = replace_line(14, "  角色 负责人")
    text = replace_line(10, "  角色 窗口人员, 调度员, 负责人", text)
    text = replace_line(8, "角色 窗口人员, 调度员, 调解员, 负责人", text)
    assert problems(county_files(text)) == [
        (
            "county.yd", 22, 15, "error",
            "分派到单位「司法所」的案件走流程「简易」，其步骤「办理」由承办单位的「调解员」办理，"
            "但该单位没有这个角色",
        ),
        (
            "county.yd", 23, 15, "error",
            "分派到单位「综治中心」的案件走流程「简易」，其步骤「办理」由承办单位的「调解员」办理，"
            "但该单位没有这个角色",
        ),
    ]  # fmt: skip


# --- no inert rule (issue 15): what would never run, or run wrong, is refused -------------


def test_settings_that_only_another_kind_of_step_reads_are_refused() -> None:
    cases = {
        "    评价 {\n      评价人 当事人\n    }": (
            "「评价」只在评价步骤（类型 评价）中起作用；"
            "步骤「办理」是任务步骤，这里的「评价」不会执行",
            "'评价' only works in an evaluation step (类型 评价); step '办理' is a task step, "
            "so it would never run",
        ),
        "    回访 30%": (
            "「回访」只在核查步骤（类型 核查）中起作用；"
            "步骤「办理」是任务步骤，这里的「回访」不会执行",
            "'回访' only works in a verification step (类型 核查); step '办理' is a task step, "
            "so it would never run",
        ),
        "    参与 调解员 @ 承办单位": (
            "「参与」只在会商步骤（类型 会商）中起作用；"
            "步骤「办理」是任务步骤，这里的「参与」不会执行",
            "'参与' only works in a consultation step (类型 会商); step '办理' is a task step, "
            "so it would never run",
        ),
    }
    for line, (zh, en) in cases.items():
        result = dsl.compile_files("test", county_files(insert_after(31, line)))
        [d] = result.diagnostics
        column = 8 if line.strip().startswith("参与") else 5
        assert (d.path, d.line, d.column, d.message, d.message_en) == (
            "county.yd",
            32,
            column,
            zh,
            en,
        ), line
        assert result.county is None


def test_a_data_condition_must_name_a_field_of_the_intake_form() -> None:
    files = county_files(replace_line(31, "    动作 化解 办结 当 数据.金钱 > 3"))
    [d] = dsl.compile_files("test", files).diagnostics
    assert (d.line, d.column, d.message, d.hint) == (
        31,
        19,
        "案件数据中没有「金钱」：数据.… 读的是受理表单的字段，"
        "受理表单没有这一项，这个条件永远不会成立",
        "您是不是要写「金额」？",
    )
    assert d.message_en.startswith("the case data has no '金钱'")
    nested = county_files(replace_line(31, "    动作 化解 办结 当 数据.location.镇 == 城关镇"))
    assert [(p[1], p[2]) for p in problems(nested)] == [(31, 28)]
    good = county_files(replace_line(31, "    动作 化解 办结 当 数据.location.town == 城关镇"))
    assert problems(good) == []


def test_a_form_condition_on_an_action_without_a_form_is_refused() -> None:
    text = replace_line(30, "    办理人 调解员 @ 承办单位\n    表单 受理")
    text = replace_line(33, "    动作 退回 退回 -> 派单 当 表单.summary 已填", text)
    [d] = dsl.compile_files("test", county_files(text)).diagnostics
    assert (d.line, d.column) == (33, 25)
    assert d.message.startswith("这个动作没有表单")
    # a reopening fills its step's form (as the engine does), so it may read it
    reopen = replace_line(33, "    动作 重办 重开 -> 派单 当 表单.summary 已填", text)
    assert problems(county_files(reopen)) == []


ESCALATE = "    动作 提级 提级 -> 办理 需理由"


def test_escalating_where_no_office_can_take_the_case_is_refused() -> None:
    # 司法所 is stationed only in towns; without the fallback nobody is at 县中心 for 办理.
    text = replace_line(23, "", insert_after(31, ESCALATE))
    found = [p for p in problems(county_files(text)) if p[3] == "error"]
    assert found == [
        (
            "county.yd", 32, 8, "error",
            "动作「提级」把分派给「司法所」的案件提级到「县中心」后，单位「司法所」没有入驻该中心，"
            "县级没有分派规则，兜底单位也不在，步骤「办理」的工单没有单位可承办",
        )
    ]  # fmt: skip
    [d] = [d for d in dsl.compile_files("t", county_files(text)).diagnostics if d.line == 32]
    assert d.message_en.startswith("action '提级' escalates cases routed to '司法所' to '县中心'")
    # with the fallback office stationed at 县, routing chooses it there: nothing to refuse
    assert problems(county_files(insert_after(31, ESCALATE))) == []


def test_a_deadline_stage_escalating_where_no_office_can_take_the_case_is_refused() -> None:
    stage = "    时限 {\n      默认 3 天\n      超时 提级\n    }"
    text = replace_line(23, "", insert_after(31, stage))
    found = [p for p in problems(county_files(text)) if p[3] == "error"]
    assert [(line, column) for _, line, column, _, _ in found] == [(34, 10)]
    assert found[0][4].startswith("时限阶段「提级」把分派给「司法所」的案件提级到「县中心」后")


def test_an_action_and_a_stage_escalating_to_the_same_place_are_both_refused() -> None:
    # Both take the case to 县中心 where nobody works 办理: each is its own mistake to fix.
    stage = "    时限 {\n      默认 3 天\n      超时 提级\n    }"
    text = replace_line(23, "", insert_after(31, ESCALATE + "\n" + stage))
    found = [p for p in problems(county_files(text)) if p[3] == "error"]
    assert [(line, column) for _, line, column, _, _ in found] == [(32, 8), (35, 10)]
    assert found[0][4].startswith("动作「提级」把分派给「司法所」的案件提级到「县中心」后")
    assert found[1][4].startswith("时限阶段「提级」把分派给「司法所」的案件提级到「县中心」后")


def test_a_step_named_for_an_office_stationed_nowhere_above_after_a_push_down() -> None:
    # 综治中心 works 办理 by name; pushed down to a village it is stationed at (城关镇 above).
    text = BASE.replace("    办理人 调解员 @ 承办单位", "    办理人 调解员 @ 单位 综治中心")
    assert problems(county_files(text)) == []


def test_the_intake_form_must_carry_category_severity_and_location() -> None:
    form = json.loads(county_files()["forms/受理.json"])
    del form["properties"]["location"]
    files = county_files(**{"forms__受理_dot_json": json.dumps(form, ensure_ascii=False)})
    [d] = dsl.compile_files("t", files).diagnostics
    assert (d.path, d.line, d.column) == ("forms/受理.json", 1, 1)
    assert d.message == (
        "受理表单「受理」（forms/受理.json）缺少发生地字段（「location」、「发生地」、「地点」之一）："
        "窗口登记和网上受理靠它分派案件"
    )
    assert d.hint.startswith('发生地写成对象：{"type": "object"')
    assert d.message_en.startswith("intake form '受理' (forms/受理.json) has no location field")


def test_the_intake_location_is_a_town_object_or_a_center_name() -> None:
    form = json.loads(county_files()["forms/受理.json"])
    form["properties"]["location"] = {"type": "array"}
    text = json.dumps(form, ensure_ascii=False, indent=2)
    files = county_files(**{"forms__受理_dot_json": text})
    [(path, line, column, _, message)] = problems(files)
    assert (path, text.splitlines()[line - 1][column - 1 :]) == ("forms/受理.json", '"location": {')
    assert message.startswith(
        "受理表单「受理」（forms/受理.json）的「location」须为对象，含「town」"
    )
    form["properties"]["location"] = {
        "type": "object",
        "properties": {"town": {"type": "string", "enum": ["城关镇", "城西镇"]}},
    }
    files = county_files(**{"forms__受理_dot_json": json.dumps(form, ensure_ascii=False)})
    assert [p[4] for p in problems(files)] == [
        "受理表单「受理」（forms/受理.json）的「location.town」可选值「城西镇」不是本县区的中心，"
        "选它的案件无法分派"
    ]
    form["properties"]["location"] = {"type": "string", "enum": ["城关镇", "县中心"]}
    files = county_files(**{"forms__受理_dot_json": json.dumps(form, ensure_ascii=False)})
    assert problems(files) == []


def test_a_step_named_for_an_office_not_stationed_where_routing_puts_the_case() -> None:
    text = replace_line(22, "分派 等级 一般 -> 县 综治中心")
    text = replace_line(30, "    办理人 调解员 @ 单位 司法所", text)
    errors = [p for p in problems(county_files(text)) if p[3] == "error"]
    assert errors == [
        (
            "county.yd", 30, 18, "error",
            "步骤「办理」由单位「司法所」办理，但分派到「县中心」的案件所在中心及其上级"
            "都没有入驻该单位，工单会发给不在场的单位",
        )
    ]  # fmt: skip


# --- outcome meanings (结果 X 类别 Y) -------------------------------------------------------

WITH_OUTCOMES = BASE.replace("    动作 化解 办结", "    动作 化解 办结 结果 化解成功")


def test_an_outcome_meaning_is_compiled_in_chinese_and_english() -> None:
    text = (
        WITH_OUTCOMES + "结果 化解成功 类别 调解成功\noutcome 调解不成 meaning mediation_failed\n"
    )
    result = dsl.compile_files("test", county_files(text))
    assert result.county is not None
    assert dict(result.county.outcomes) == {"化解成功": "mediated", "调解不成": "mediation_failed"}
    # declared, never recorded: said, because it would never count
    assert [d.message for d in result.diagnostics] == [
        "结果「调解不成」没有任何动作记录，它的类别不会计入统计"
    ]


def test_an_unknown_outcome_meaning_is_refused_in_chinese() -> None:
    text = WITH_OUTCOMES + "结果 化解成功 类别 调好了\n"
    result = dsl.compile_files("test", county_files(text))
    assert result.county is None
    [error] = result.errors
    assert error.message == (
        "未知的结果类别「调好了」（可选：化解、调解成功、调解不成、未化解、分流、诉讼、司法确认）"
    )
    assert error.column == 12  # under the meaning


def test_an_outcome_declared_twice_is_refused() -> None:
    text = WITH_OUTCOMES + "结果 化解成功 类别 调解成功\n结果 化解成功 类别 化解\n"
    [error] = dsl.compile_files("test", county_files(text)).errors
    assert error.message.startswith("结果「化解成功」重复定义")


def test_a_recorded_outcome_without_meaning_and_no_mediated_meaning_are_warnings() -> None:
    result = dsl.compile_files("test", county_files(WITH_OUTCOMES))
    assert result.county is not None and not result.errors
    assert [d.message for d in result.diagnostics] == [
        "结果「化解成功」没有声明类别（如：结果 化解成功 类别 化解），统计时不计为化解",
        "没有任何结果声明为「调解成功」类别，调解成功率无从统计（如：结果 化解成功 类别 调解成功）",
    ]
    declared = WITH_OUTCOMES + "结果 化解成功 类别 化解\n"
    [warning] = dsl.compile_files("test", county_files(declared)).diagnostics
    assert warning.severity == "warning" and "调解成功率无从统计" in warning.message
