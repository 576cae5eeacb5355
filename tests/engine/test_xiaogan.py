"""The seed county compiled from definitions/xiaogan runs its five tickets (五单制) end to end,
with its own forms: dispatch names the office, the center evaluates through its form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine

from dsl import compile_county
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused, ValidationFailed
from tests.engine.counties import MONDAY, person

XIAOGAN = Path(__file__).resolve().parents[2] / "definitions" / "xiaogan"
TOWN, VILLAGE = "书院街道", "书院社区"


@pytest.fixture
def xg(db: DbEngine) -> Engine:
    versions.publish(db, compile_county(XIAOGAN), by="测试")
    return Engine(db, ManualClock(MONDAY))


def intake(**changes: Any) -> dict[str, Any]:
    party = {"name": "张小明", "role": "申请人", "phone": "13800138000"}
    data = {
        "location": {"town": TOWN, "village": VILLAGE},
        "summary": "邻居装修噪音扰民多次协商未果",
    }
    facts = {"channel": "来访", "category": "邻里纠纷", "severity": "一般", "location": VILLAGE}
    return {**facts, "parties": [party], "data": data, **changes}


def test_the_five_tickets_of_xiaogan(xg: Engine) -> None:
    view = xg.receive("窗口", "xiaogan", **intake())
    assert view.code.startswith("XG-2026-") and (view.level, view.office) == ("镇", "司法所")
    dispatcher = person("xiaogan", "d", (TOWN, "调度员", "综治中心"))
    handler = person("xiaogan", "h", (TOWN, "承办人", "人民调解委员会"))
    [dispatch] = view.open_tickets()
    assert [a.key for a in xg.available_actions(dispatcher, dispatch.id)] == ["派发", "引导"]
    with pytest.raises(ValidationFailed):
        xg.act(dispatcher, dispatch.id, "派发", {})
    with pytest.raises(ActionRefused, match="不是本县区的单位"):
        xg.act(dispatcher, dispatch.id, "派发", {"office": "外星办"})
    with pytest.raises(ActionRefused, match=r"承办单位「司法局」没有入驻.*，不能派给它"):
        xg.act(dispatcher, dispatch.id, "派发", {"office": "司法局"})  # a county-level office
    view = xg.act(dispatcher, dispatch.id, "派发", {"office": "人民调解委员会"})
    assert view.office == "人民调解委员会"
    [accept] = [t for t in view.open_tickets() if t.kind != "supervision"]
    view = xg.act(handler, accept.id, "接收", {})
    # the 督办单 link runs beside 接单 and 办理 (tests/engine/test_supervision.py)
    [handling] = [t for t in view.open_tickets() if t.kind != "supervision"]
    assert handling.due_at is not None and handling.due_at > view.received_at
    result = {"method": "人民调解", "result": "化解成功", "notes": "双方达成调解协议并签字"}
    view = xg.act(handler, handling.id, "化解", result)
    [evaluation] = view.open_tickets()
    evaluator = person("xiaogan", "e", (evaluation.center, "评单员", None))
    view = xg.act(evaluator, evaluation.id, "评价完成", {"score": "满意"})
    assert view.satisfaction == "满意" and view.step == "核单"
    [check] = view.open_tickets()
    visitor = person("xiaogan", "v", (check.center, "回访员", None))
    view = xg.act(visitor, check.id, "核实办结", {"way": "电话", "settled": True})
    assert view.status == "closed" and view.verified is True


def test_the_api_may_give_case_facts_beside_the_form(xg: Engine) -> None:
    view = xg.receive("12345平台", "xiaogan", **intake(channel="12345", visits=0))
    assert view.channel == "12345" and view.data["channel"] == "12345"
    assert view.data["parties"][0]["name"] == "张小明"
