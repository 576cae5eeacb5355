"""Deadlines on the calendar and what their stages do when the clock moves: colour grades,
reminders, supervision tickets at the county center, automatic escalation; suspension and
extension move the due times and are recorded."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import Duration
from engine import firing, pauses, timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.scope import Principal
from engine.tables import TICKET
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import INTAKE, make_county, person


def fire(wf: Engine) -> int:
    return timers.fire_due(wf.db, wf.clock, firing.fire)


def test_step_deadline_by_severity_on_working_days(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    handling = only_open(view)
    ticket = next(t for t in view.tickets if t.id == handling)
    # 一般: 3 working days from Monday 09:00 -> Thursday 09:00 CST
    assert ticket.due_at == datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
    accept = next(t for t in view.tickets if t.step == "接单")
    assert accept.due_at == datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # end of the working day
    major = run_to_handling(wf, dispatcher, mediator, severity="较大")
    ticket = next(t for t in major.tickets if t.id == only_open(major))
    assert ticket.due_at == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)  # 较大: 20 calendar days


def test_stages_colour_remind_supervise_and_escalate(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    with wf.db.connect() as conn:
        kinds = sorted(
            t.kind for t in timers.pending(conn, case_id=view.id) if t.ticket_id == only_open(view)
        )
    assert kinds == ["colour", "colour", "escalate", "remind", "supervise"]
    assert fire(wf) == 0
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))  # past 80% of three working days
    assert fire(wf) == 2
    view = wf.case(visitor, view.code)
    assert view is not None and view.colour == "黄"
    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))  # overdue
    assert fire(wf) == 2
    view = wf.case(visitor, view.code)
    assert view is not None and view.colour == "红" and view.supervised
    [supervision] = [t for t in view.open_tickets() if t.kind == "supervision"]
    assert (supervision.center, supervision.role, supervision.name) == (
        "县中心",
        "督办员",
        "督办单",
    )
    assert [a.key for a in wf.available_actions(visitor, supervision.id)] == ["回复督办"]
    assert [r.id for r in wf.inbox(visitor, tab="supervised").items] == [supervision.id]
    clock.set(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))  # two days overdue: escalate
    assert fire(wf) == 1
    view = wf.case(visitor, view.code)
    assert view is not None and (view.center, view.level, view.escalations) == ("城关镇", "镇", 1)
    task = [t for t in view.open_tickets() if t.kind == "task"]
    assert [(t.step, t.center) for t in task] == [("办理", "城关镇")]
    kinds = [e.kind for e in wf.timeline(visitor, view.code)]
    assert {"colour", "reminded", "supervised", "escalated"} <= set(kinds)
    wf.act(visitor, supervision.id, "回复督办", {})


def test_timers_of_finished_work_do_not_fire(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    view = wf.act(mediator, only_open(view), "调解成功", {"调解结果": "和解"})
    clock.advance(timedelta(days=30))
    fire(wf)
    assert view.colour == "" and not wf.case(mediator, view.code).supervised  # type: ignore[union-attr]


def test_suspension_stops_the_clock_and_resuming_moves_due_times(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    before = next(t for t in view.tickets if t.id == ticket).due_at
    with pytest.raises(ActionRefused, match="需要「中心主任」审批"):
        wf.suspend(mediator, ticket, reason="当事人住院")
    with pytest.raises(ActionRefused, match="必须填写理由"):
        wf.suspend(mediator, ticket, reason=" ", approver="赵主任")
    view = wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    assert view.status == "suspended"
    with pytest.raises(ActionRefused, match="已中止"):
        wf.act(mediator, ticket, "调解成功", {"调解结果": "x"})
    clock.advance(timedelta(days=7))  # Monday to Monday: five working days
    assert fire(wf) == 0  # no stage fires while suspended
    view = wf.resume(mediator, ticket, reason="已出院")
    after = next(t for t in view.tickets if t.id == ticket).due_at
    assert before is not None and after == before + timedelta(days=7)
    events = [e for e in wf.timeline(mediator, view.code) if e.kind in ("suspended", "resumed")]
    assert [e.kind for e in events] == ["suspended", "resumed"] and "赵主任" in events[0].note


def test_extension_adds_time_with_reason_and_approver(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    view = wf.extend(
        mediator, ticket, amount=Duration(2, "workday"), reason="需补充证据", approver="赵主任"
    )
    due = next(t for t in view.tickets if t.id == ticket).due_at
    assert due == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Thursday + 2 working days = Monday
    with wf.db.connect() as conn:
        [escalate] = [t for t in timers.pending(conn, case_id=view.id) if t.kind == "escalate"]
        state = conn.execute(select(TICKET.c.due_at).where(TICKET.c.id == ticket)).scalar_one()
    assert state == due and escalate.due_at == due + timedelta(days=2)
    [event] = [e for e in wf.timeline(mediator, view.code) if e.kind == "extended"]
    assert "需补充证据" in event.note


def test_steps_without_suspension_rules_refuse_it(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    with pytest.raises(ActionRefused, match="不允许中止"):
        wf.suspend(dispatcher, only_open(view), reason="x", approver="y")


def test_deadline_by_level_when_no_severity_rule(db: DbEngine, clock: ManualClock) -> None:
    county = make_county("testl", prefix="TL")
    process = county.processes["五单"]
    accept = process.steps["接单"]
    by_level = dataclasses.replace(
        accept.deadline,  # type: ignore[type-var]
        default=Duration(5, "day"),
        by_level={"村": Duration(0, "end_of_workday"), "镇": Duration(1, "workday")},
    )
    steps = {**process.steps, "接单": dataclasses.replace(accept, deadline=by_level)}
    county = dataclasses.replace(
        county, processes={"五单": dataclasses.replace(process, steps=steps)}
    )
    versions.publish(db, county, by="测试")
    wf = Engine(db, clock)
    village = wf.receive("api", "testl", **INTAKE)
    town = wf.receive("api", "testl", **{**INTAKE, "category": "离婚纠纷"})
    d1 = person("testl", "d1", ("城关镇/东门村", "调度员", None))
    d2 = person("testl", "d2", ("城关镇", "调度员", None))
    due_village = wf.act(d1, only_open(village), "派单", {}).open_tickets()[0].due_at
    due_town = wf.act(d2, only_open(town), "派单", {}).open_tickets()[0].due_at
    assert due_village == datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # same day, 17:30 CST
    assert due_town == datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # next working day, 09:00 CST


def test_resume_through_a_finished_ticket_is_refused(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    view = wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    finished = next(t.id for t in view.tickets if t.state == "completed")
    with pytest.raises(ActionRefused, match="该单已办结，不能恢复办理"):
        wf.resume(dispatcher, finished, reason="x")
    assert wf.case(mediator, view.code).status == "suspended"


def test_deadline_rule_is_the_steps_own_else_the_cases() -> None:
    county = make_county("rules")
    process = next(iter(county.processes.values()))
    for key, step in process.steps.items():
        expected = step.deadline or process.case_deadline
        assert pauses.deadline_rule(county, process.key, key) is expected
    assert pauses.deadline_rule(county, "没有这个流程", "x") is None
