"""Evaluation by the party (one-time link) or the center, low scores, and sampled revisits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import County
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.evaluation import sample_size
from engine.scope import Principal
from engine.tables import TOKEN
from engine.views import CaseView
from tests.engine.conftest import only_open, run_to_handling
from tests.engine.counties import INTAKE, make_county, person


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


def test_revisits_sample_a_share_of_closed_cases(db: DbEngine, clock: ManualClock) -> None:
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


# --- counties with several processes, and one whose low score reopens ------------------------

SAMPLED = "抽样"  # 邻里纠纷: revisits half of its closed cases
THIRTY = "三成"  # 婚姻家庭 (when present): revisits 30%


def several_processes(key: str, prefix: str, *, thirty: bool) -> County:
    """The test county with its five-ticket chain (every case revisited in the chain) kept as
    the default, 邻里纠纷 routed to a process that samples 50%, and, when `thirty`, 婚姻家庭 to
    one that samples 30%."""
    base = make_county(key, prefix=prefix)
    chain = base.processes["五单"]
    half = replace(make_county(share=0.5).processes["五单"], key=SAMPLED, name="抽样回访流程")
    processes = {"五单": chain, SAMPLED: half}
    routes = [replace(base.routes[0], process=SAMPLED), *base.routes[1:]]
    if thirty:
        share = replace(make_county(share=0.3).processes["五单"], key=THIRTY, name="三成回访")
        processes[THIRTY] = share
        routes[1] = replace(routes[1], process=THIRTY)
    return replace(base, processes=processes, routes=tuple(routes))


def reopening_on_low_score(key: str) -> County:
    """The test county whose 评单 reopens the case at 办理 on 不满意 (instead of following up)."""
    base = make_county(key, prefix="TO")
    chain = base.processes["五单"]
    scoring = chain.step("评价")
    assert scoring.evaluation is not None
    reopening = replace(scoring, evaluation=replace(scoring.evaluation, on_low="reopen"))
    steps = {**chain.steps, "评价": reopening}
    return replace(base, processes={"五单": replace(chain, steps=steps)})


class Staff:
    """The people of one test county: dispatch, the village and the town's mediators, revisits."""

    def __init__(self, county: str) -> None:
        self.county = county
        self.dispatcher = person(
            county, "d", ("城关镇/东门村", "调度员", None), ("城关镇", "调度员", None)
        )
        self.mediator = person(
            county,
            "m",
            ("城关镇/东门村", "调解员", "人民调解委员会"),
            ("城关镇", "调解员", "司法所"),
        )
        self.visitor = person(county, "v", ("县中心", "回访员", None))


def closed_case(wf: Engine, staff: Staff, category: str = "邻里纠纷") -> CaseView:
    """A case received, dispatched, mediated and rated 满意; in a chain that revisits every
    case the 核单 is done too, so the case comes back closed either way."""
    view = wf.receive(
        "api",
        staff.county,
        channel="来访",
        category=category,
        severity="一般",
        location="城关镇/东门村",
        parties=[{"name": "甲"}],
        data={"事由": "x"},
    )
    view = wf.act(staff.dispatcher, only_open(view), "派单", {})
    view = wf.act(staff.mediator, only_open(view), "接单", {})
    view = wf.act(staff.mediator, only_open(view), "调解成功", {"调解结果": "和解"})
    view = wf.evaluate(view.code, "满意")
    if view.status != "closed":  # revisited in the chain
        view = wf.act(staff.visitor, only_open(view), "核实", {})
    assert view.status == "closed"
    return view


NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def revisit_codes(wf: Engine, staff: Staff) -> list[str]:
    """The cases with an open 核单 in the revisit staff's inbox."""
    return sorted(row.case_code for row in wf.inbox(staff.visitor).items)


def test_the_sample_size_rounds_up_without_float_noise() -> None:
    assert [sample_size(n, s) for n, s in ((4, 0.5), (3, 0.5), (1, 0.5), (0, 0.5))] == [2, 2, 1, 0]
    # 25 x 0.28 is 7.000000000000001 in floating point: 7 cases, not 8
    assert sample_size(25, 0.28) == 7 and sample_size(50, 0.14) == 7 and sample_size(10, 0.3) == 3


def test_a_chain_that_revisits_every_case_does_not_stop_another_process_sampling(
    db: DbEngine, clock: ManualClock
) -> None:
    versions.publish(db, several_processes("testm", "TM", thirty=False), by="测试")
    wf, staff = Engine(db, clock), Staff("testm")
    sampled = [closed_case(wf, staff) for _ in range(4)]
    assert {v.process for v in sampled} == {SAMPLED} and all(v.verified is None for v in sampled)
    chained = closed_case(wf, staff, "婚姻家庭")
    assert chained.process == "五单" and chained.verified is True  # revisited in its chain
    chosen = wf.sample_revisits("testm", *NOVEMBER)
    assert len(chosen) == 2 and set(chosen) <= {v.code for v in sampled}
    assert revisit_codes(wf, staff) == chosen
    assert wf.sample_revisits("testm", *NOVEMBER) == []  # drawn: a second run adds nothing
    assert revisit_codes(wf, staff) == chosen


def test_each_process_draws_its_own_share_and_a_later_run_only_tops_up(
    db: DbEngine, clock: ManualClock
) -> None:
    versions.publish(db, several_processes("testn", "TN", thirty=True), by="测试")
    wf, staff = Engine(db, clock), Staff("testn")
    half = [closed_case(wf, staff).code for _ in range(2)]
    thirty = [closed_case(wf, staff, "婚姻家庭").code for _ in range(4)]
    first = wf.sample_revisits("testn", *NOVEMBER)
    # ceil(2 x 50%) = 1 and ceil(4 x 30%) = 2, each from its own process
    assert len(set(first) & set(half)) == 1 and len(set(first) & set(thirty)) == 2
    assert len(first) == 3
    clock.advance(timedelta(hours=1))
    later = [closed_case(wf, staff).code for _ in range(2)]  # closed after the first draw
    second = wf.sample_revisits("testn", *NOVEMBER)
    # 邻里纠纷 now has 4 closed cases, so 2 revisits: one more, from the not yet drawn;
    # 婚姻家庭 already has its 2
    assert len(second) == 1 and set(second) <= (set(half) | set(later)) - set(first)
    assert wf.sample_revisits("testn", *NOVEMBER) == []
    assert revisit_codes(wf, staff) == sorted(first + second)
    december = (NOVEMBER[1], NOVEMBER[1] + timedelta(days=31))
    assert wf.sample_revisits("testn", *december) == []  # nothing closed then


def test_a_sampled_case_that_fails_its_revisit_reopens_and_is_drawn_again_when_closed(
    db: DbEngine, clock: ManualClock
) -> None:
    versions.publish(db, several_processes("testr", "TR", thirty=False), by="测试")
    wf, staff = Engine(db, clock), Staff("testr")
    view = closed_case(wf, staff)
    assert wf.sample_revisits("testr", *NOVEMBER) == [view.code]  # ceil(1 x 50%) = 1
    page = wf.inbox(staff.visitor)
    view = wf.act(staff.visitor, page.items[0].id, "未化解", {}, reason="回访发现仍有争执")
    assert view.status == "open" and view.step == "办理" and view.verified is False
    assert view.closed_at is None and view.reopenings == 1 and view.resolved is None
    assert [t.step for t in view.open_tickets()] == ["办理"]
    assert "reopened" in [e.kind for e in wf.timeline(staff.visitor, view.code)]
    assert wf.sample_revisits("testr", *NOVEMBER) == []  # open again: nothing to draw
    view = wf.act(staff.mediator, only_open(view), "调解成功", {"调解结果": "和解"})
    view = wf.evaluate(view.code, "满意")
    assert view.status == "closed" and view.verified is False
    # its new closing has not been revisited: drawn again (the same clock time on purpose)
    assert wf.sample_revisits("testr", *NOVEMBER) == [view.code]
    assert wf.sample_revisits("testr", *NOVEMBER) == []
    view = wf.act(staff.visitor, wf.inbox(staff.visitor).items[0].id, "核实", {})
    assert view.status == "closed" and view.verified is True and view.reopenings == 1


def test_a_low_score_can_reopen_the_case_when_the_definition_says_so(
    db: DbEngine, clock: ManualClock
) -> None:
    versions.publish(db, reopening_on_low_score("testo"), by="测试")
    wf, staff = Engine(db, clock), Staff("testo")
    view = wf.receive("api", "testo", **INTAKE)
    view = wf.act(staff.dispatcher, only_open(view), "派单", {})
    view = wf.act(staff.mediator, only_open(view), "接单", {})
    view = wf.act(staff.mediator, only_open(view), "调解成功", {"调解结果": "和解"})
    assert view.outcome == "调解成功" and view.resolved is True and view.reopenings == 0
    view = wf.evaluate(view.code, "不满意", by="center")
    assert view.status == "open" and view.step == "办理" and view.satisfaction == "不满意"
    assert view.reopenings == 1 and view.outcome is None and view.resolved is None
    assert [t.step for t in view.open_tickets()] == ["办理"]
    events = wf.timeline(staff.mediator, view.code)
    reopened = [e for e in events if e.kind == "reopened"]
    assert len(reopened) == 1 and "评价为「不满意」" in reopened[0].note
    assert "follow_up" not in [e.kind for e in events]
    view = wf.act(staff.mediator, only_open(view), "调解成功", {"调解结果": "和解"})
    view = wf.evaluate(view.code, "满意", by="center")
    assert view.step == "核单" and view.satisfaction == "满意" and view.reopenings == 1
    assert view.outcome == "调解成功" and view.resolved is True


def test_cases_follow_the_revisit_rule_of_the_version_they_closed_under(
    db: DbEngine, clock: ManualClock
) -> None:
    versions.publish(db, several_processes("testv", "TV", thirty=False), by="测试")
    wf, staff = Engine(db, clock), Staff("testv")
    codes = [closed_case(wf, staff).code for _ in range(2)]  # closed unrevisited, to be sampled
    # the new version revisits 邻里纠纷 in its chain: the cases already closed keep their rule
    everyone = make_county("testv", prefix="TV")
    versions.publish(db, replace(everyone, name="新版"), by="测试")
    chosen = wf.sample_revisits("testv", *NOVEMBER)
    assert len(chosen) == 1 and set(chosen) <= set(codes)
    view = wf.act(staff.visitor, wf.inbox(staff.visitor).items[0].id, "核实", {})
    assert view.code == chosen[0] and view.verified is True
