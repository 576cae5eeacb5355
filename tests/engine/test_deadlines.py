"""Deadlines on the calendar and what their stages do when the clock moves: colour grades,
reminders, supervision tickets at the county center, automatic escalation; suspension and
extension move the due times and are recorded."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import Duration, Stage, StageEffect
from engine import firing, pauses, timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.scope import Principal
from engine.tables import TICKET
from engine.views import CaseView
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
    # 人民调解委员会 is stationed only in villages: at the town routing chooses again (the
    # fallback office), so the ticket never goes to an office that is not there.
    assert [(t.step, t.center, t.office) for t in task] == [("办理", "城关镇", "综合窗口组")]
    kinds = [e.kind for e in wf.timeline(visitor, view.code)]
    assert {"colour", "reminded", "supervised", "escalated", "assigned"} <= set(kinds)
    wf.act(visitor, supervision.id, "回复督办", {})


def test_timers_of_finished_work_do_not_fire(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    handling = only_open(view)
    view = wf.act(mediator, handling, "调解成功", {"调解结果": "和解"})
    clock.advance(timedelta(days=30))  # far past every stage of the finished 办理 ticket
    fire(wf)
    after = wf.case(mediator, view.code)
    assert after is not None
    # The finished ticket's 黄/红 grades, reminder and 督办单 never happened.
    assert (after.colour, after.supervised) == ("", False)
    assert next(t for t in after.tickets if t.id == handling).colour == ""
    kinds = {e.kind for e in wf.timeline(mediator, view.code)}
    assert not kinds & {"colour", "reminded", "supervised", "escalated"}


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


def _stage_events(wf: Engine, who: Principal, code: str) -> list[str]:
    kinds = ("colour", "reminded", "supervised", "escalated")
    return [e.kind for e in wf.timeline(who, code) if e.kind in kinds]


def _pending_kinds(wf: Engine, case_id: int) -> list[str]:
    with wf.db.connect() as conn:
        return sorted(t.kind for t in timers.pending(conn, case_id=case_id))


def _overdue(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> tuple[CaseView, int, list[str]]:
    """A case at 办理 run past its due time: the case, its ticket and the stage events fired
    (黄, the reminder, 红 and the 督办单)."""
    view = run_to_handling(wf, dispatcher, mediator)
    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    assert fire(wf) == 4
    return view, only_open(view), _stage_events(wf, visitor, view.code)


def test_resuming_an_overdue_case_does_not_supervise_it_again(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view, ticket, fired = _overdue(wf, clock, dispatcher, mediator, visitor)
    assert sorted(fired) == ["colour", "colour", "reminded", "supervised"]
    wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    clock.advance(timedelta(days=1))
    view = wf.resume(mediator, ticket, reason="已出院")
    # Only the stage that had not fired (escalation, two days past the moved due time) waits.
    due = next(t for t in view.tickets if t.id == ticket).due_at
    with wf.db.connect() as conn:
        [escalate] = timers.pending(conn, case_id=view.id)
    assert escalate.kind == "escalate" and due is not None
    assert escalate.due_at == due + timedelta(days=2)
    assert fire(wf) == 0
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.colour == "红" and view.supervised
    assert next(t for t in view.tickets if t.id == ticket).colour == "红"
    assert len([t for t in view.tickets if t.kind == "supervision"]) == 1
    assert _stage_events(wf, visitor, view.code) == fired


def test_resuming_rearms_only_the_stages_that_had_not_fired(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))  # past 80%: 黄 and the reminder
    assert fire(wf) == 2
    wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    clock.advance(timedelta(days=7))  # Wednesday to Wednesday: five working days stopped
    view = wf.resume(mediator, ticket, reason="已出院")
    assert _pending_kinds(wf, view.id) == ["colour", "escalate", "supervise"]
    assert fire(wf) == 0
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.colour == "黄" and not view.supervised
    due = next(t for t in view.tickets if t.id == ticket).due_at
    assert due == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # Thursday + 5 working days
    clock.set(due + timedelta(hours=1))  # overdue on the moved due time: 红 and one 督办单
    assert fire(wf) == 2
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.colour == "红" and view.supervised
    assert sorted(_stage_events(wf, visitor, view.code)) == [
        "colour",
        "colour",
        "reminded",
        "supervised",
    ]


def test_extension_moves_unfired_stages_and_never_repeats_fired_ones(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view, ticket, fired = _overdue(wf, clock, dispatcher, mediator, visitor)
    view = wf.extend(
        mediator, ticket, amount=Duration(2, "workday"), reason="需补充证据", approver="赵主任"
    )
    due = next(t for t in view.tickets if t.id == ticket).due_at
    assert due == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Thursday + 2 working days
    assert _pending_kinds(wf, view.id) == ["escalate"]
    clock.set(due + timedelta(hours=1))  # past the new due time: nothing is repeated
    assert fire(wf) == 0
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.colour == "红"
    assert len([t for t in view.tickets if t.kind == "supervision"]) == 1
    assert _stage_events(wf, visitor, view.code) == fired
    clock.set(due + timedelta(days=2, hours=1))  # the unfired escalation moved with the due time
    assert fire(wf) == 1
    assert _stage_events(wf, visitor, view.code) == [*fired, "escalated"]


def test_extension_moves_the_case_deadlines_unfired_stages_with_its_due_time(
    db: DbEngine, clock: ManualClock
) -> None:
    county = make_county("testx", prefix="TX")
    process = county.processes["五单"]
    case_deadline = dataclasses.replace(
        process.case_deadline,  # type: ignore[type-var]
        stages=(
            Stage(effects=(StageEffect("remind", role="调解员"),), fraction=0.2),
            Stage(
                effects=(StageEffect("supervise", role="督办员", at_level="县"),),
                after_due=Duration(0, "day"),
            ),
        ),
    )
    county = dataclasses.replace(
        county, processes={"五单": dataclasses.replace(process, case_deadline=case_deadline)}
    )
    versions.publish(db, county, by="测试")
    wf = Engine(db, clock)
    dispatcher = person("testx", "d", ("城关镇/东门村", "调度员", None))
    mediator = person("testx", "m", ("城关镇/东门村", "调解员", "人民调解委员会"))
    view = wf.receive("api", "testx", **INTAKE)
    view = wf.act(dispatcher, only_open(view), "派单", {})
    view = wf.act(mediator, only_open(view), "接单", {})
    assert view.due_at == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 一般: 10 days
    clock.set(datetime(2026, 11, 18, 2, 0, tzinfo=UTC))  # past 20% of the case's 10 days
    assert fire(wf) == 1
    view = wf.extend(
        mediator,
        only_open(view),
        amount=Duration(10, "workday"),
        reason="需司法鉴定",
        approver="赵主任",
    )
    assert view.due_at == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # the ticket's, now later
    with wf.db.connect() as conn:
        case_stages = [
            (t.kind, t.due_at) for t in timers.pending(conn, case_id=view.id) if t.ticket_id is None
        ]
    # The reminder that fired is not armed again; the overdue 督办 follows the new due time.
    assert case_stages == [("supervise", view.due_at)]
    clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # the old case due time has passed
    fire(wf)
    view = wf.case(mediator, view.code)  # type: ignore[assignment]
    assert view is not None and not view.supervised
    reminders = [e for e in wf.timeline(mediator, view.code) if e.kind == "reminded"]
    assert [e.ticket_id for e in reminders] == [None]


def _supervisions(view: CaseView) -> list[tuple[int, str]]:
    return [(t.id, t.state) for t in view.tickets if t.kind == "supervision"]


def test_one_open_supervision_per_case_until_it_is_answered(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal, visitor: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))  # overdue: the first 督办单
    fire(wf)
    clock.set(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))  # escalated to 城关镇, a new ticket
    fire(wf)
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.center == "城关镇"
    [(first, _)] = _supervisions(view)
    due = next(t for t in view.open_tickets() if t.kind == "task").due_at
    assert due is not None
    clock.set(due + timedelta(hours=1))  # the new ticket overdue, the 督办单 unanswered
    fire(wf)
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.supervised
    assert _supervisions(view) == [(first, "open")]
    supervised = [e for e in wf.timeline(visitor, view.code) if e.kind == "supervised"]
    assert [e.ticket_id for e in supervised] == [first, first]
    assert "仍未回复" in supervised[1].note
    with wf.db.connect() as conn:  # the stage fired: it is not armed again
        assert "supervise" not in {t.kind for t in timers.pending(conn, case_id=view.id)}
    wf.act(visitor, first, "回复督办", {})
    clock.set(due + timedelta(days=2, hours=1))  # escalated again, to 县中心
    fire(wf)
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.center == "县中心"
    due = next(t for t in view.open_tickets() if t.kind == "task").due_at
    assert due is not None
    clock.set(due + timedelta(hours=1))  # overdue once more, the first 督办单 answered
    fire(wf)
    view = wf.case(visitor, view.code)  # type: ignore[assignment]
    assert view is not None and view.supervised
    [(_, done), (second, state)] = _supervisions(view)
    assert (done, state) == ("completed", "open") and second != first
    supervised = [e for e in wf.timeline(visitor, view.code) if e.kind == "supervised"]
    assert [e.ticket_id for e in supervised] == [first, first, second]


def _stage_times(wf: Engine, case_id: int) -> list[tuple[str, datetime]]:
    with wf.db.connect() as conn:
        return sorted((t.kind, t.due_at) for t in timers.pending(conn, case_id=case_id))


def test_extension_after_a_suspension_shares_stages_from_the_moved_start(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    clock.advance(timedelta(days=7))  # five working days stopped
    wf.resume(mediator, ticket, reason="已出院")
    view = wf.extend(
        mediator, ticket, amount=Duration(2, "workday"), reason="需补充证据", approver="赵主任"
    )
    # The same deadline begun now, with no suspension, extended alike: the same stage times.
    same = run_to_handling(wf, dispatcher, mediator)
    same = wf.extend(
        mediator,
        only_open(same),
        amount=Duration(2, "workday"),
        reason="需补充证据",
        approver="赵主任",
    )
    due = next(t for t in view.tickets if t.id == ticket).due_at
    assert due == next(t for t in same.tickets if t.id == only_open(same)).due_at
    stages = _stage_times(wf, view.id)
    assert stages == _stage_times(wf, same.id)
    # 80% of five working days from Monday 09:00 CST, not of the span that includes the stop.
    assert ("remind", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)) in stages


def test_resuming_a_second_time_counts_both_stops(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    for _ in range(2):
        wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
        clock.advance(timedelta(days=7))  # five working days stopped each time
        view = wf.resume(mediator, ticket, reason="已出院")
    same = run_to_handling(wf, dispatcher, mediator)  # begun now, never stopped
    due = next(t for t in view.tickets if t.id == ticket).due_at
    assert due == next(t for t in same.tickets if t.id == only_open(same)).due_at
    assert _stage_times(wf, view.id) == _stage_times(wf, same.id)


def test_a_suspended_case_is_resumed_before_it_is_extended(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    with wf.db.connect() as conn:
        pending = sorted(t.id for t in timers.pending(conn, case_id=view.id))
    with pytest.raises(ActionRefused, match="请先恢复再延期"):
        wf.extend(
            mediator, ticket, amount=Duration(2, "workday"), reason="补充证据", approver="赵主任"
        )
    with wf.db.connect() as conn:  # nothing armed while the clock is stopped
        assert sorted(t.id for t in timers.pending(conn, case_id=view.id)) == pending
    wf.resume(mediator, ticket, reason="已出院")
    view = wf.extend(
        mediator, ticket, amount=Duration(2, "workday"), reason="补充证据", approver="赵主任"
    )
    assert view.status == "open"
