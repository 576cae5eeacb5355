"""Counties built in Python for the engine tests: a three-level county with the five-ticket
chain (派单 接单 办理 评价 核单), a joint consultation, deadlines with stages, and a second
county that revisits a sample of its closed cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dsl.model import (
    Action,
    Actor,
    Calendar,
    Category,
    Center,
    Channel,
    Comparison,
    County,
    Deadline,
    Diversion,
    Duration,
    Evaluation,
    Fallback,
    FormRef,
    Level,
    Office,
    Process,
    Revisit,
    Role,
    Route,
    Severity,
    Stage,
    StageEffect,
    Stationing,
    Step,
    Window,
)
from engine.scope import Membership, Principal

# Monday 2026-11-16 09:00 CST: a working week without holidays.
MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)


def _form(name: str, required: str, title: str) -> FormRef:
    schema: dict[str, Any] = {
        "type": "object",
        "title": name,
        "properties": {required: {"type": "string", "title": title, "minLength": 1}},
        "required": [required],
    }
    return FormRef(name=name, path=f"forms/{name}.json", schema=schema)


def _steps(share: float) -> dict[str, Step]:
    dispatcher = Actor(role="调度员", where="center")
    mediator = Actor(role="调解员", where="routed_office")
    visitor = Actor(role="回访员", where="center", level="县")
    handling = Deadline(
        default=Duration(5, "workday"),
        by_severity={"一般": Duration(3, "workday"), "较大": Duration(20, "day")},
        stages=(
            Stage(
                effects=(StageEffect("colour", colour="黄"), StageEffect("remind", role="调解员")),
                fraction=0.8,
            ),
            Stage(
                effects=(
                    StageEffect("colour", colour="红"),
                    StageEffect("supervise", role="督办员", at_level="县"),
                ),
                after_due=Duration(0, "day"),
            ),
            Stage(effects=(StageEffect("escalate"),), after_due=Duration(2, "day")),
        ),
        suspend_allowed=True,
        extend_allowed=True,
        approver_role="中心主任",
    )
    steps = [
        Step(
            "派单",
            "派单",
            "task",
            dispatcher,
            None,
            (
                Action("派单", "派单", "complete", "接单"),
                Action("提级", "提级", "escalate", "派单", requires_reason=True),
                Action("下沉", "下沉", "push_down", "派单"),
            ),
        ),
        Step(
            "接单",
            "接单",
            "task",
            mediator,
            None,
            (
                Action("接单", "接单", "complete", "办理"),
                Action("退单", "退单", "return", "派单", requires_reason=True),
            ),
            deadline=Deadline(default=Duration(0, "end_of_workday")),
        ),
        Step(
            "办理",
            "办理",
            "task",
            mediator,
            "办理结果",
            (
                Action("调解成功", "调解成功", "complete", "评价", outcome="调解成功"),
                Action("调解不成", "调解不成", "complete", "评价", outcome="调解不成"),
                Action("提级", "提级", "escalate", "派单", requires_reason=True),
                Action("转办", "转办", "transfer", "办理", form="转办"),
                Action("会商", "发起会商", "complete", "会商"),
                Action(
                    "分流",
                    "引导仲裁",
                    "divert",
                    None,
                    outcome="分流",
                    condition=Comparison("case.category", "==", "劳动争议"),
                ),
            ),
            deadline=handling,
        ),
        Step(
            "会商",
            "联合会商",
            "consultation",
            None,
            None,
            (Action("提交意见", "提交意见", "complete", "办理"),),
            participants=(
                Actor("法官", "office", office="法院"),
                Actor("律师", "office", office="法律援助中心"),
            ),
        ),
        Step(
            "评价",
            "评单",
            "evaluation",
            visitor,
            None,
            (Action("评价", "评价", "complete", "核单"),),
            evaluation=Evaluation(
                by=("party", "center"),
                scale=("满意", "基本满意", "不满意"),
                low_scores=("不满意",),
                on_low="follow_up",
                target="办理",
            ),
        ),
        Step(
            "核单",
            "核单",
            "verification",
            visitor,
            None,
            (
                Action("核实", "已化解", "complete", "结束"),
                Action("未化解", "未化解", "reopen", "办理", requires_reason=True),
            ),
            revisit=Revisit(share=share, on_fail="办理"),
        ),
        Step("结束", "结束", "end", None, None, ()),
    ]
    return {s.key: s for s in steps}


def make_county(key: str = "testa", *, prefix: str = "TA", share: float = 1.0) -> County:
    levels = {k: Level(k, k + "级", r) for r, k in enumerate(("县", "镇", "村"))}
    centers = [
        Center("县中心", "县矛调中心", "县", None),
        Center("城关镇", "城关镇中心", "镇", "县中心"),
        Center("城关镇/东门村", "东门村", "村", "城关镇"),
        Center("河口镇", "河口镇中心", "镇", "县中心", frozenset({"海岛"})),
        Center("河口镇/西村", "西村", "村", "河口镇"),
    ]
    offices = [
        Office("司法所", "司法所", ("调解员",), Stationing("resident"), levels=("镇",)),
        Office("人民调解委员会", "村调委会", ("调解员",), Stationing("resident"), levels=("村",)),
        Office(
            "法院",
            "法院诉讼服务中心",
            ("法官", "调解员"),
            Stationing("rotating", (2, 4)),
            centers=("县中心",),
        ),
        Office(
            "法律援助中心", "法律援助中心", ("律师",), Stationing("on_call"), centers=("县中心",)
        ),
        Office("综合窗口组", "综合窗口", ("调解员",), Stationing("resident"), levels=("县", "镇")),
    ]
    categories = [
        Category("婚姻家庭", "婚姻家庭", None),
        Category("离婚纠纷", "离婚纠纷", "婚姻家庭"),
        Category("邻里纠纷", "邻里纠纷", None),
        Category("劳动争议", "劳动争议", None),
        Category("其他", "其他", None),
    ]
    routes = (
        Route(("邻里纠纷",), ("一般", "较大"), (), "村", "人民调解委员会", line=10),
        Route(("婚姻家庭", "劳动争议"), (), (), "镇", "司法所", line=11),
        Route((), ("重大",), (), "县", "法院", line=12),
    )
    process = Process(
        "五单",
        "五单流程",
        "派单",
        _steps(share),
        case_deadline=Deadline(
            default=Duration(30, "day"), by_severity={"一般": Duration(10, "day")}
        ),
    )
    forms = {
        f.name: f
        for f in (
            _form("受理登记", "事由", "事由"),
            _form("办理结果", "调解结果", "调解结果"),
            _form("转办", "office", "转办单位"),
        )
    }
    roles = ("调度员", "调解员", "回访员", "督办员", "法官", "律师", "中心主任")
    county = County(
        key=key,
        name=key + "县",
        levels=levels,
        centers={c.key: c for c in centers},
        roles={r: Role(r, r) for r in roles},
        offices={o.key: o for o in offices},
        studios={},
        windows={
            "综合窗口": Window(
                "综合窗口", "无差别综合受理窗口", True, ("综合窗口组",), levels=("县", "镇")
            )
        },
        categories={c.key: c for c in categories},
        severities={k: Severity(k, k, r) for r, k in enumerate(("一般", "较大", "重大"))},
        channels={
            "来访": Channel("来访", "来访", True),
            "12345": Channel("12345", "12345热线", False),
            "线上": Channel("线上", "线上", False),
        },
        routes=routes,
        fallback=Fallback("综合窗口", "综合窗口组"),
        diversions={
            "劳动仲裁": Diversion("劳动仲裁", "劳动仲裁", "劳动人事争议仲裁委", ("劳动争议",))
        },
        calendars={"默认": Calendar("默认", "默认日历")},
        default_calendar="默认",
        processes={"五单": process},
        default_process="五单",
        intake_form="受理登记",
        forms=forms,
        code_prefix=prefix,
        outcomes={"调解成功": "mediated", "调解不成": "mediation_failed", "分流": "diverted"},
    )
    return county


def person(county: str, username: str, *memberships: tuple[str, str, str | None]) -> Principal:
    return Principal(
        username=username,
        display_name={"zhangsan": "张三", "lisi": "李四"}.get(username, username),
        county=county,
        memberships=tuple(Membership(center=c, role=r, office=o) for c, r, o in memberships),
    )


INTAKE: dict[str, Any] = {
    "channel": "来访",
    "category": "邻里纠纷",
    "severity": "一般",
    "location": "城关镇/东门村",
    "parties": [{"name": "王五", "phone": "13800001234", "id_number": "420902199001011234"}],
    "data": {"事由": "邻居堆放杂物堵路"},
}
