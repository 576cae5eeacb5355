"""Acting on tickets: the five-ticket chain, who may act, return, escalate, push down,
transfer, consultation joins, diversion, claims, and one transaction per action."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

from engine import flow
from engine.cases import Engine
from engine.errors import ActionRefused, ValidationFailed
from engine.scope import Principal
from engine.tables import CASE, EVENT, TICKET
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import person


def test_the_five_ticket_chain_runs_to_the_end(
    wf: Engine, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    view = wf.act(mediator, only_open(view), "调解成功", {"调解结果": "双方和解"})
    assert (view.step, view.outcome, view.resolved) == ("评价", "调解成功", True)
    view = wf.evaluate(view.code, "满意", by="party")
    assert view.step == "核单" and view.satisfaction == "满意"
    view = wf.act(visitor, only_open(view), "核实", {})
    assert view.status == "closed" and view.verified is True and view.closed_on_time is True
    assert [t.state for t in view.tickets] == ["completed"] * 5
    assert not view.open_tickets()


def test_actions_offered_follow_roles_and_conditions(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    keys = [a.key for a in wf.available_actions(mediator, ticket)]
    assert keys == ["调解成功", "调解不成", "提级", "转办", "会商"]  # 分流 only for 劳动争议
    assert wf.available_actions(dispatcher, ticket) == []
    town = person("testa", "m2", ("城关镇", "调解员", "司法所"), ("城关镇", "调度员", None))
    labour = run_to_handling(wf, town, town, category="劳动争议")
    offered = wf.available_actions(town, only_open(labour))
    assert "分流" in [a.key for a in offered]


def test_someone_without_the_role_is_refused(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    stranger = person("testa", "x", ("河口镇", "调度员", None))
    with pytest.raises(ActionRefused, match="您不是该单的办理人"):
        wf.act(stranger, only_open(view), "派单", {})


def test_unknown_action_and_missing_form_fields_are_refused(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    with pytest.raises(ActionRefused, match="没有「结案」操作"):
        wf.act(mediator, only_open(view), "结案", {})
    with pytest.raises(ValidationFailed) as caught:
        wf.act(mediator, only_open(view), "调解成功", {})
    assert caught.value.field_errors[0].path == "调解结果"


def test_return_needs_a_reason_and_goes_back_to_dispatch(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = receive(wf)
    view = wf.act(dispatcher, only_open(view), "派单", {})
    with pytest.raises(ActionRefused, match="必须填写理由"):
        wf.act(mediator, only_open(view), "退单", {})
    view = wf.act(mediator, only_open(view), "退单", {}, reason="不属于本调委会")
    returned = [t for t in view.tickets if t.state == "returned"]
    assert returned[0].reason == "不属于本调委会" and view.step == "派单"
    assert wf.available_actions(dispatcher, only_open(view))


def test_escalation_keeps_code_and_history(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    code = view.code
    view = wf.act(mediator, only_open(view), "提级", {}, reason="涉及多村")
    assert (view.code, view.center, view.level, view.escalations) == (code, "城关镇", "镇", 1)
    [ticket] = view.open_tickets()
    assert (ticket.step, ticket.center) == ("派单", "城关镇")
    assert len(view.tickets) == 4  # history kept: the three earlier tickets plus the new one
    town = person("testa", "town", ("城关镇", "调度员", None))
    kinds = [e.kind for e in wf.timeline(town, code)]
    assert "escalated" in kinds


def test_push_down_to_a_child_center_only(wf: Engine) -> None:
    county_dispatcher = person("testa", "county", ("县中心", "调度员", None))
    view = receive(wf, category="其他", severity="重大")
    with pytest.raises(ActionRefused, match="不是「县中心」的下级中心"):
        wf.act(county_dispatcher, only_open(view), "下沉", {"center": "火星"})
    view = wf.act(county_dispatcher, only_open(view), "下沉", {"center": "河口镇"})
    assert (view.center, view.level) == ("河口镇", "镇")
    assert view.open_tickets()[0].center == "河口镇"


def test_the_top_center_cannot_escalate(wf: Engine) -> None:
    county_dispatcher = person("testa", "county", ("县中心", "调度员", None))
    view = receive(wf, category="其他", severity="重大")
    with pytest.raises(ActionRefused, match="已是最高层级"):
        wf.act(county_dispatcher, only_open(view), "提级", {}, reason="试试")


def test_transfer_sends_the_step_to_another_office(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    view = wf.act(mediator, only_open(view), "转办", {"office": "司法所"})
    [ticket] = view.open_tickets()
    assert (ticket.step, ticket.office) == ("办理", "司法所") and view.office == "司法所"


def test_consultation_continues_when_the_last_view_is_in(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    view = wf.act(mediator, only_open(view), "会商", {"调解结果": "需会商"})
    consult = {t.office: t.id for t in view.open_tickets()}
    assert set(consult) == {"法院", "法律援助中心"}
    judge = person("testa", "judge", ("县中心", "法官", "法院"))
    lawyer = person("testa", "lawyer", ("县中心", "律师", "法律援助中心"))
    view = wf.act(judge, consult["法院"], "提交意见", {})
    assert view.step == "会商" and len(view.open_tickets()) == 1
    view = wf.act(lawyer, consult["法律援助中心"], "提交意见", {})
    assert view.step == "办理" and view.open_tickets()[0].step == "办理"


def test_diversion_records_the_channel_and_closes(wf: Engine, dispatcher: Principal) -> None:
    town = person("testa", "m2", ("城关镇", "调解员", "司法所"), ("城关镇", "调度员", None))
    view = run_to_handling(wf, town, town, category="劳动争议")
    with pytest.raises(ActionRefused, match="没有分流渠道「行政复议」"):
        wf.act(town, only_open(view), "分流", {"diversion": "行政复议"})
    # the outcome (回告) given with the diversion: it closes at once
    view = wf.act(town, only_open(view), "分流", {"diversion": "劳动仲裁", "outcome": "已受理"})
    assert (view.status, view.diversion, view.outcome, view.resolved) == (
        "closed",
        "劳动仲裁",
        "分流",
        False,
    )


def test_a_claimed_ticket_belongs_to_its_claimer(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    ticket = only_open(view)
    other = person("testa", "lisi", ("城关镇/东门村", "调度员", None))
    wf.claim(dispatcher, ticket)
    with pytest.raises(ActionRefused, match="已由 zhangsan 签收"):
        wf.act(other, ticket, "派单", {})
    assert wf.available_actions(other, ticket) == []
    wf.act(dispatcher, ticket, "派单", {}, expected_state="claimed")


def test_acting_twice_tells_who_handled_it_and_when(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    ticket = only_open(view)
    wf.act(dispatcher, ticket, "派单", {})
    with pytest.raises(ActionRefused, match=r"该单已由 张三 于 2026-11-16 09:00 办理"):
        wf.act(dispatcher, ticket, "派单", {})


def test_a_failure_mid_action_leaves_the_previous_state(
    wf: Engine, db: DbEngine, dispatcher: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = receive(wf)
    ticket = only_open(view)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("模拟故障")

    with db.connect() as conn:
        before = (
            conn.execute(select(func.count()).select_from(EVENT)).scalar_one(),
            conn.execute(select(CASE.c.step, CASE.c.updated_at)).one(),
        )
    monkeypatch.setattr(flow, "open_ticket", broken)
    with pytest.raises(RuntimeError, match="模拟故障"):
        wf.act(dispatcher, ticket, "派单", {})
    with db.connect() as conn:
        state = conn.execute(select(TICKET.c.state).where(TICKET.c.id == ticket)).scalar_one()
        after = (
            conn.execute(select(func.count()).select_from(EVENT)).scalar_one(),
            conn.execute(select(CASE.c.step, CASE.c.updated_at)).one(),
        )
    assert state == "open" and after == before
    monkeypatch.undo()
    assert wf.act(dispatcher, ticket, "派单", {}).step == "接单"
