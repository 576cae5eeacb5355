"""Routing by a center's tag and the condition forms (属于, 已填/未填, 非) at the engine's level;
tests/web/test_web_constructs.py proves the same through the web."""

from __future__ import annotations

from sqlalchemy import Engine as DbEngine

import dsl
from dsl.model import AllOf, AnyOf, Comparison, Not
from engine import conditions, versions
from engine.cases import Engine
from engine.clock import ManualClock
from tests.engine.counties import MONDAY
from tests.web.rules_county import FILES, KEY


def test_a_route_by_tag_matches_cases_at_a_tagged_center(db: DbEngine) -> None:
    county = dsl.compile_files(KEY, FILES).county
    assert county is not None
    versions.publish(db, county, by="test")
    wf = Engine(db, ManualClock(MONDAY))
    facts = {"channel": "来访", "category": "邻里纠纷", "severity": "一般"}
    data = {"category": "邻里纠纷", "severity": "一般", "summary": "海边渔船停靠纠纷"}
    island = wf.receive(
        "窗口", KEY, **facts, location="西岛", parties=[{"name": "张三"}],
        data={**data, "location": {"town": "西岛"}},
    )  # fmt: skip
    assert (island.level, island.office) == ("县", "住建局")  # 分派 标签 海岛 -> 县 住建局
    town = wf.receive(
        "窗口", KEY, **facts, location="东镇", parties=[{"name": "李四"}],
        data={**data, "location": {"town": "东镇"}},
    )  # fmt: skip
    assert (town.level, town.office) == ("镇", "司法所")  # no tag: the next route


def test_conditions_in_set_not_and_or_on_case_and_form_data() -> None:
    case = {"severity": "一般", "data": {"amount": 3000, "note": ""}}
    among = Comparison("case.severity", "in", ("一般", "较大"))
    outside = Comparison("case.severity", "not in", ("重大",))
    filled = Comparison("data.amount", "is set")
    empty = Comparison("data.note", "is not set")
    assert conditions.holds(AllOf((among, outside, filled, empty)), case)
    assert not conditions.holds(Not(among), case)
    assert conditions.holds(AnyOf((Not(among), Comparison("data.amount", ">", 1000))), case)
    assert not conditions.holds(Comparison("form.settled", "==", "未化解"), case, {})
    assert conditions.holds(Comparison("form.settled", "==", "未化解"), case, {"settled": "未化解"})
