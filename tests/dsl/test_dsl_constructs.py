"""Every construct of the language compiles to the model object the engine expects."""

from __future__ import annotations

from datetime import date

from dsl_samples import BASE, county_files, problems, replace_line

import dsl
from dsl.model import (
    Action,
    Actor,
    Calendar,
    Comparison,
    County,
    Deadline,
    Diversion,
    Duration,
    Evaluation,
    Fallback,
    Revisit,
    Route,
    Stage,
    StageEffect,
    Stationing,
    Studio,
    Window,
)

EXTRA = """\
县区 全量县 {
  编码 QL
  受理表单 受理
  默认流程 全量
  默认日历 本地
  颜色等级 绿, 黄, 红
}
层级 县 "县级", 镇 "镇级"
中心 县中心 "县综治中心" 层级 县
中心 东岛镇 层级 镇 上级 县中心 标签 海岛, 渔区
角色 窗口人员 "窗口工作人员", 调度员, 调解员, 法官, 负责人
单位 综治中心 {
  类型 综治
  角色 窗口人员, 调度员, 调解员, 负责人
  驻点 常驻
  层级 县, 镇
}
单位 法院 {
  角色 法官
  驻点 随叫随驻
  中心 县中心
}
单位 调委会 {
  角色 调解员
  驻点 轮驻 周一, 星期三, fri
  层级 镇
}
工作室 老王工作室 "老王调解工作室" 单位 调委会 中心 东岛镇 主理人 "王大明"
窗口 综合窗口 "无差别窗口" 综合受理 单位 综治中心, 法院 层级 县 中心 东岛镇
窗口 诉讼窗口 单位 法院 中心 县中心
事项类型 婚姻家庭 "婚姻家庭纠纷" { 离婚纠纷 { 财产分割 } }, 劳动争议
等级 一般 "一般纠纷", 重大
渠道 来访 现场, 12345 "热线", 线上
分派 事项 婚姻家庭 等级 重大 标签 海岛 -> 镇 调委会 流程 全量 响应 30 分钟 线上调解
分派 -> 县 综治中心
兜底 窗口 综合窗口 单位 综治中心 层级 县
引导 仲裁 "劳动仲裁" -> 仲裁委 事项 劳动争议
引导 诉讼 -> "人民法院" 无需回告
日历 本地 "本地日历" {
  放假 2026-04-06 至 2026-04-08, 2026-06-01
  调休上班 2026-04-12
  上班时间 9:00 ~ 18:00
}
日历 备用
流程 全量 "全量流程" {
  开始 登记
  整体时限 {
    默认 2 月
    等级 一般 3 天, 重大 20 工作日
    层级 镇 48 小时
    日历 备用
    到 80% 提醒 调度员, 亮 黄
    超时 亮 红, 督办 负责人 @ 县
    超时 2 天 提级
    允许 中止, 延期
    审批人 负责人
  }
  步骤 登记 {
    办理人 窗口人员 @ 窗口
    表单 受理
    票据 登记单
    动作 派 "派单" -> 会商 当 案件.等级 == 重大 或 数据.人数 > 9
    动作 直接办 -> 调解
    时限 当日下班前
  }
  步骤 会商 {
    类型 会商
    办理人 调度员 @ 中心 县
    参与 法官 @ 单位 法院, 调解员 @ 承办单位
    动作 方案 -> 调解
  }
  步骤 调解 {
    办理人 调解员 @ 承办单位
    动作 成功 -> 评价 结果 化解成功
    动作 转 转办
    动作 上 提级 -> 调解
    动作 下 下沉 -> 调解
    动作 停 中止
    动作 延 延期
    动作 导 分流 -> 结案 表单 分流
    动作 退 退回 -> 登记
    时限 {
      默认 1 工作日
    }
  }
  步骤 评价 {
    类型 评价
    办理人 调度员 @ 中心
    评价 {
      评价人 当事人, 中心
      选项 好, 中, 差
      差评 中, 差 跟进 -> 调解
    }
    动作 评完 -> 核查
  }
  步骤 核查 {
    类型 核查
    办理人 调度员 @ 中心
    回访 0.2 每 周 不通过 -> 调解
    动作 核完 -> 结案
    动作 重办 重开 -> 调解 需理由
  }
  终点 结案 "已结案"
}
结果 化解成功 类别 调解成功
outcome 分流 meaning diverted
"""


# The 分流 action's form names the diversion (two are declared, so it must choose).
DIVERT_FORM = '{"type": "object", "properties": {"channel": {"type": "string"}}}'


def full() -> County:
    result = dsl.compile_files("full", county_files(EXTRA, forms__分流_dot_json=DIVERT_FORM))
    assert result.diagnostics == []
    assert result.county is not None
    return result.county


def test_header_organisation_and_classification() -> None:
    county = full()
    assert (county.name, county.code_prefix, county.intake_form) == ("全量县", "QL", "受理")
    assert county.colours == ("绿", "黄", "红")
    assert [(lv.key, lv.name, lv.rank) for lv in county.levels.values()] == [
        ("县", "县级", 0), ("镇", "镇级", 1)
    ]  # fmt: skip
    assert county.centers["东岛镇"].tags == frozenset({"海岛", "渔区"})
    assert county.centers["县中心"].name == "县综治中心"
    assert county.roles["窗口人员"].name == "窗口工作人员"
    assert county.offices["调委会"].stationing == Stationing("rotating", (1, 3, 5))
    assert county.offices["法院"].stationing == Stationing("on_call")
    assert county.offices["法院"].centers == ("县中心",)
    assert county.offices["综治中心"].kind == "综治"
    assert county.studios["老王工作室"] == Studio(
        "老王工作室", "老王调解工作室", "调委会", "东岛镇", "王大明"
    )
    assert county.windows["综合窗口"] == Window(
        "综合窗口", "无差别窗口", True, ("综治中心", "法院"), ("县",), ("东岛镇",)
    )
    assert county.windows["诉讼窗口"].universal is False
    assert county.categories["财产分割"].parent == "离婚纠纷"
    assert county.categories["婚姻家庭"].name == "婚姻家庭纠纷"
    assert [(s.key, s.rank) for s in county.severities.values()] == [("一般", 0), ("重大", 1)]
    assert county.channels["来访"].in_person and not county.channels["12345"].in_person


def test_routing_fallback_and_diversions() -> None:
    county = full()
    first, second = county.routes
    assert first == Route(
        ("婚姻家庭",), ("重大",), ("海岛",), "镇", "调委会", "全量",
        Duration(30, "minute"), "线上调解", first.line,
    )  # fmt: skip
    assert first.line == 34
    assert (second.categories, second.level, second.office) == ((), "县", "综治中心")
    assert county.fallback == Fallback("综合窗口", "综治中心", "县")
    assert county.diversions["仲裁"] == Diversion("仲裁", "劳动仲裁", "仲裁委", ("劳动争议",))
    assert county.diversions["诉讼"].outcome_required is False


def test_calendars() -> None:
    county = full()
    assert county.default_calendar == "本地"
    assert county.calendars["本地"] == Calendar(
        "本地", "本地日历",
        frozenset({date(2026, 4, 6), date(2026, 4, 7), date(2026, 4, 8), date(2026, 6, 1)}),
        frozenset({date(2026, 4, 12)}), (9, 0), (18, 0),
    )  # fmt: skip
    assert county.calendars["备用"].workday_start == (8, 30)


def test_case_deadline_with_stages() -> None:
    deadline = full().processes["全量"].case_deadline
    assert deadline == Deadline(
        Duration(2, "month"),
        {"一般": Duration(3, "day"), "重大": Duration(20, "workday")},
        {"镇": Duration(48, "hour")},
        (
            Stage((StageEffect("remind", role="调度员"), StageEffect("colour", colour="黄")), 0.8),
            Stage(
                (
                    StageEffect("colour", colour="红"),
                    StageEffect("supervise", role="负责人", at_level="县"),
                ),
                after_due=Duration(0, "day"),
            ),
            Stage((StageEffect("escalate"),), after_due=Duration(2, "day")),
        ),
        "备用", True, True, "负责人",
    )  # fmt: skip
    assert deadline is not None and deadline.allowed("重大", "镇") == Duration(20, "workday")


def test_steps_actors_and_kinds() -> None:
    process = full().processes["全量"]
    assert (process.name, process.start) == ("全量流程", "登记")
    assert list(process.steps) == ["登记", "会商", "调解", "评价", "核查", "结案"]
    steps = process.steps
    assert steps["登记"].actor == Actor("窗口人员", "window")
    assert (steps["登记"].ticket, steps["登记"].form) == ("登记单", "受理")
    assert steps["登记"].deadline == Deadline(Duration(0, "end_of_workday"))
    assert steps["会商"].kind == "consultation"
    assert steps["会商"].actor == Actor("调度员", "center", level="县")
    assert steps["会商"].participants == (
        Actor("法官", "office", office="法院"), Actor("调解员", "routed_office")
    )  # fmt: skip
    assert steps["评价"].evaluation == Evaluation(
        ("party", "center"), ("好", "中", "差"), ("中", "差"), "follow_up", "调解"
    )
    assert steps["核查"].revisit == Revisit(0.2, "week", "调解")
    assert (steps["结案"].kind, steps["结案"].name, steps["结案"].actor) == ("end", "已结案", None)


def test_actions_effects_and_conditions() -> None:
    steps = full().processes["全量"].steps
    first = steps["登记"].actions[0]
    assert first.name == "派单" and first.condition is not None
    assert repr(first.condition) == (
        "AnyOf(parts=(Comparison(path='case.severity', op='==', value='重大'), "
        "Comparison(path='data.人数', op='>', value=9)))"
    )
    effects = [(a.key, a.effect, a.target, a.requires_reason) for a in steps["调解"].actions]
    assert effects == [
        ("成功", "complete", "评价", False),
        ("转", "transfer", "调解", False),
        ("上", "escalate", "调解", False),
        ("下", "push_down", "调解", False),
        ("停", "suspend", None, True),
        ("延", "extend", None, True),
        ("导", "divert", "结案", False),
        ("退", "return", "登记", True),
    ]
    assert steps["调解"].actions[0].outcome == "化解成功"
    assert steps["调解"].actions[6].form == "分流"
    assert steps["核查"].actions[1] == Action("重办", "重办", "reopen", "调解", None, True)
    assert isinstance(Comparison("case.severity", "==", "重大"), Comparison)


def test_structural_errors_of_processes_and_organisation() -> None:
    cases = [
        (replace_line(18, "窗口 综合窗口 单位 综治中心 层级 县"),
         ("county.yd", 23, 7, "error", "兜底窗口「综合窗口」须是综合受理窗口")),
        (replace_line(15, "  驻点 轮驻"), None),
        (replace_line(27, "    动作 派发 完成"),
         ("county.yd", 27, 8, "error", "动作「派发」须用 -> 写明下一步骤")),
        (replace_line(31, "    动作 化解 办结 -> 派单"),
         ("county.yd", 31, 17, "error", "动作「化解」不转到其他步骤，不能写 ->")),
        (replace_line(26, "    办理人 调度员 @ 单位 司法所"),
         ("county.yd", 26, 9, "error", "单位「司法所」没有角色「调度员」")),
        (replace_line(30, "    类型 会商\n    办理人 调解员 @ 承办单位"),
         ("county.yd", 29, 6, "error", "缺少会商步骤的参与方（参与 …）")),
    ]  # fmt: skip
    for text, expected in cases:
        found = problems(county_files(text))
        if expected is None:
            assert found, text
        else:
            assert expected in found, (text, found)


def test_deadline_value_errors() -> None:
    body = "    时限 {{\n      默认 1 天\n      {}\n    }}"
    cases = {
        "到 120% 提醒": (35, 9, "比例「120%」无效：须大于 0 且不超过 100%"),
        "超时 亮 紫": (35, 12, "未定义的颜色「紫」"),
        "超时 督办 督办长": (35, 13, "未定义的角色「督办长」"),
        "允许 暂停": (35, 10, "未定义的可允许的操作「暂停」"),
        "日历 农历": (35, 10, "未定义的日历「农历」"),
        "等级 一般 0.5 小时": (35, 13, "无效的时长「0.5 小时」：须为 1 到 100000 之间的整数"),
    }
    for line, (number, column, message) in cases.items():
        text = BASE.replace(
            "    动作 退回 退回 -> 派单", "    动作 退回 退回 -> 派单\n" + body.format(line)
        )
        assert problems(county_files(text)) == [("county.yd", number, column, "error", message)], (
            line
        )


def test_calendar_errors() -> None:
    text = (
        BASE
        + "日历 本地 {\n  放假 2026-02-30, 2026-05-01\n  调休上班 2026-05-01\n"
        + "  上班时间 18:00 - 9:00\n}\n"
    )
    assert problems(county_files(text)) == [
        ("county.yd", 35, 4, "error", "2026-05-01 既是放假日又是调休上班日"),
        ("county.yd", 36, 6, "error", "无效的日期「2026-02-30」"),
        ("county.yd", 38, 8, "error", "下班时间须晚于上班时间"),
    ]


def test_the_model_holds_plain_strings_not_parser_tokens() -> None:
    """The engine stores and compares these values; parser tokens must not leak into them."""
    import dataclasses
    from collections.abc import Mapping

    from lark import Token

    leaks: list[str] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, Token):
            leaks.append(where)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{where}.{f.name}")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(key, f"{where}[key]")
                walk(item, f"{where}[{key}]")
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(item, f"{where}[]")

    walk(full(), "county")
    assert leaks == []
