"""Evaluation by the party (one-time link) or the center, low scores, and sampled revisits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.scope import Principal
from engine.tables import TOKEN
from engine.views import CaseView
from tests.engine.conftest import only_open, run_to_handling
from tests.engine.counties import make_county, person


def handled(wf: Engine, dispatcher: Principal, mediator: Principal, **changes: object) -> CaseView:
    view = run_to_handling(wf, dispatcher, mediator, **changes)
    return wf.act(mediator, only_open(view), "调解成功", {"调解结果": "和解"})


def test_the_party_evaluates_once_with_a_link_token(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = handled(wf, dispatcher, mediator)
    token = wf.evaluation_token(view.code)
    with wf.db.connect() as conn:
        stored = conn.execute(select(TOKEN.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64  # only the hash is kept
    with pytest.raises(ActionRefused, match="评价链接无效"):
        wf.evaluate(view.code, "满意", token="guessed")
    view = wf.evaluate(view.code, "基本满意", token=token)
    assert view.satisfaction == "基本满意" and view.step == "核单"
    with pytest.raises(ActionRefused, match="评价链接无效或已使用"):
        wf.evaluate(view.code, "满意", token=token)


def test_scores_outside_the_scale_are_refused(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = handled(wf, dispatcher, mediator)
    with pytest.raises(ActionRefused, match="可选：满意、基本满意、不满意"):
        wf.evaluate(view.code, "非常好")
    with pytest.raises(ActionRefused, match="不接受"):
        wf.evaluate(view.code, "满意", by="leader")


def test_a_low_score_sends_the_case_back_for_follow_up(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = handled(wf, dispatcher, mediator)
    view = wf.evaluate(view.code, "不满意", by="center")
    assert view.satisfaction == "不满意" and view.step == "办理"
    assert [t.step for t in view.open_tickets()] == ["办理"]
    assert "follow_up" in [e.kind for e in wf.timeline(mediator, view.code)]


def test_evaluating_a_case_not_at_evaluation_is_refused(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    with pytest.raises(ActionRefused, match="不在评价环节"):
        wf.evaluate(view.code, "满意")


def test_failed_verification_reopens(
    wf: Engine, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view = wf.evaluate(handled(wf, dispatcher, mediator).code, "满意")
    view = wf.act(visitor, only_open(view), "未化解", {}, reason="回访发现仍有争执")
    assert view.status == "open" and view.step == "办理" and view.verified is False


def test_revisits_sample_a_share_of_closed_cases(db: object, clock: ManualClock) -> None:
    from sqlalchemy import Engine as DbEngine

    assert isinstance(db, DbEngine)
    versions.publish(db, make_county("testb", prefix="TB", share=0.5), by="测试")
    wf = Engine(db, clock)
    d = person("testb", "d", ("城关镇/东门村", "调度员", None))
    m = person("testb", "m", ("城关镇/东门村", "调解员", "人民调解委员会"))
    codes = []
    for _ in range(6):
        view = wf.receive(
            "api",
            "testb",
            channel="来访",
            category="邻里纠纷",
            severity="一般",
            location="城关镇/东门村",
            parties=[{"name": "甲"}],
            data={"事由": "x"},
        )
        view = wf.act(d, only_open(view), "派单", {})
        view = wf.act(m, only_open(view), "接单", {})
        view = wf.act(m, only_open(view), "调解成功", {"调解结果": "和解"})
        view = wf.evaluate(view.code, "满意")
        assert view.status == "closed" and view.verified is None  # no in-chain revisit at 50%
        codes.append(view.code)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = start + timedelta(days=30)
    chosen = wf.sample_revisits("testb", start, end)
    assert len(chosen) == 3 and set(chosen) <= set(codes)
    assert wf.sample_revisits("testb", start, end) == []  # already sampled: not twice
    visitor = person("testb", "v", ("县中心", "回访员", None))
    page = wf.inbox(visitor)
    assert sorted(r.case_code for r in page.items) == chosen
    view = wf.act(visitor, page.items[0].id, "核实", {})
    assert view.status == "closed" and view.verified is True
