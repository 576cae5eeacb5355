"""Suspension (中止) and extension (延期): with a reason and, when the definition names an
approver role, the approver; due times and stage timers move accordingly, and it is recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from dsl.model import County, Deadline, Duration
from engine import court, flow, loading, response, timers
from engine.errors import ActionRefused
from engine.flow import OPEN_STATES, Move
from engine.scope import OTHER_COUNTY, Principal, in_county, may_work
from engine.stationing import office_calendar
from engine.tables import EVENT, TICKET


def deadline_rule(county: County, process: str, step: str, channel: str = "") -> Deadline | None:
    """The rule that governs 中止/延期 at a step: the step's own deadline, else the case
    deadline. Pages ask this to decide which buttons to show; the engine checks with it."""
    found = county.processes.get(process)
    if found is None:
        return None
    at = found.steps.get(step)
    return (at.deadline if at else None) or case_deadline(county, found.case_deadline, channel)


def case_deadline(county: County, own: Deadline | None, channel: str) -> Deadline | None:
    """The deadline the case runs on: a court referral's own (委派 CHANNEL 时限 …, as
    engine/intake.py set it), else the process's `own`."""
    return court.referral_deadline(county, channel) or own


def _case_deadline(move: Move) -> Deadline | None:
    process = move.county.processes[str(move.get("process"))]
    return case_deadline(move.county, process.case_deadline, str(move.get("channel") or ""))


def _rule(loaded: loading.Loaded) -> Deadline | None:
    case, step = loaded.case, str(loaded.ticket["step"])
    channel = str(case.get("channel") or "")
    return deadline_rule(loaded.county, str(case["process"]), step, channel)


def _check(
    principal: Principal, loaded: loading.Loaded, what: str, reason: str, approver: str
) -> Deadline:
    t = loaded.ticket
    if t["state"] not in OPEN_STATES:
        raise ActionRefused("该单已办结，不能" + what)
    if not in_county(principal, loaded.county):
        raise ActionRefused(OTHER_COUNTY)
    if not may_work(principal, t["center"], t["office"], t["role"]):
        raise ActionRefused(f"您不是该单的办理人，不能{what}")
    if not reason.strip():
        raise ActionRefused(f"{what}必须填写理由")
    rule = _rule(loaded)
    allowed = rule is not None and (rule.suspend_allowed if what == "中止" else rule.extend_allowed)
    if rule is None or not allowed:
        raise ActionRefused(f"该环节的时限规则不允许{what}")
    if rule.approver_role and not approver.strip():
        raise ActionRefused(f"{what}需要「{rule.approver_role}」审批，请填写审批人")
    return rule


def suspend(
    conn: Connection,
    principal: Principal,
    ticket_id: int,
    *,
    reason: str,
    approver: str,
    now: datetime,
) -> Move:
    loaded = loading.ticket(conn, ticket_id)
    _check(principal, loaded, "中止", reason, approver)
    if loaded.case["status"] != "open":
        raise ActionRefused("案件不在办理中，不能中止")
    move = Move(
        conn=conn, county=loaded.county, case=loaded.case, now=now, actor=principal.display_name
    )
    response.record(move, loaded.ticket, "中止办理")
    move.set(status="suspended", suspended_at=now)
    # Stages must not fire while the clock is stopped; they are scheduled again on resuming.
    timers.cancel_for_case(conn, move.case_id)
    move.event(
        "suspended",
        ticket_id=ticket_id,
        note=f"{reason}（审批：{approver or '无需'}）",
        status="suspended",
    )
    flow.save(move)
    return move


def resume(
    conn: Connection, principal: Principal, ticket_id: int, *, reason: str, now: datetime
) -> Move:
    loaded = loading.ticket(conn, ticket_id)
    if loaded.case["status"] != "suspended":
        raise ActionRefused("案件没有中止，无需恢复")
    t = loaded.ticket
    if t["state"] not in OPEN_STATES:
        raise ActionRefused("该单已办结，不能恢复办理")
    if not in_county(principal, loaded.county):
        raise ActionRefused(OTHER_COUNTY)
    if not may_work(principal, t["center"], t["office"], t["role"]):
        raise ActionRefused("您不是该单的办理人，不能恢复办理")
    move = Move(
        conn=conn, county=loaded.county, case=loaded.case, now=now, actor=principal.display_name
    )
    since = loaded.case["suspended_at"]
    process = move.county.processes[str(move.get("process"))]
    own = _case_deadline(move)  # a court referral's, not the process's (see engine/intake.py)
    move.set(
        due_at=_shifted(move, own, move.get("due_at"), since),
        status="open",
        suspended_at=None,
    )
    # A stage fires at most once per deadline: those that fired before the stop (its grade,
    # reminder, 督办单 stand) are not armed again, the others come back at their moved times.
    fired = _fired_stages(conn, move.case_id)
    # Stage points are shared out from the start moved by every stop so far, this one too.
    stopped = [*_pauses(conn, move.case_id), (since, now)]
    flow.schedule_stages(
        move,
        own,
        None,
        _effective_start(move, own, move.get("received_at"), stopped) or now,
        move.get("due_at"),
        fired=fired,
    )
    for row in (
        conn.execute(
            select(TICKET).where(
                TICKET.c.case_id == move.case_id,
                TICKET.c.state.in_(OPEN_STATES),
                TICKET.c.kind != "supervision",
            )
        )
        .mappings()
        .all()
    ):
        rule = process.steps[str(row["step"])].deadline if row["step"] in process.steps else None
        office = row["office"]
        due = _shifted(move, rule, row["due_at"], since, office)
        conn.execute(update(TICKET).where(TICKET.c.id == row["id"]).values(due_at=due))
        start = _effective_start(move, rule, row["created_at"], stopped, office) or now
        flow.schedule_stages(move, rule, int(row["id"]), start, due, fired=fired, office=office)
    response.arm(move, response.route_of(move), fired=fired)
    move.event(
        "resumed", ticket_id=ticket_id, note=reason, status="open", due_at=move.get("due_at")
    )
    flow.save(move)
    return move


def _fired_stages(conn: Connection, case_id: int) -> frozenset[flow.StageKey]:
    """The stage effects of the case's deadlines whose timers fired (fired timers are kept;
    `ix_timer_case` holds them, migration 0013)."""
    rows = conn.execute(
        select(timers.timer.c.ticket_id, timers.timer.c.kind, timers.timer.c.payload).where(
            timers.timer.c.case_id == case_id, timers.timer.c.fired_at.is_not(None)
        )
    )
    return frozenset(flow.stage_key(r.ticket_id, r.kind, r.payload or {}) for r in rows)


def _shifted(
    move: Move,
    rule: Deadline | None,
    moment: datetime | None,
    since: datetime,
    office: str | None = None,
) -> datetime | None:
    duration = flow.allowed(rule, move.case)
    if moment is None or rule is None or duration is None:
        return moment
    calendar = office_calendar(move.county, rule.calendar, office)
    return calendar.shift(
        moment, calendar.paused_time(since, move.now, duration.unit), duration.unit
    )


def _pauses(conn: Connection, case_id: int) -> list[tuple[datetime, datetime]]:
    """The case's finished suspensions, (suspended, resumed), oldest first.

    Tickets keep their unshifted `created_at` and the case clears `suspended_at` on resuming,
    so the stopped periods are read back from the append-only 中止/恢复 events (only
    `suspend` and `resume` here write them)."""
    rows = conn.execute(
        select(EVENT.c.kind, EVENT.c.at)
        .where(EVENT.c.case_id == case_id, EVENT.c.kind.in_(("suspended", "resumed")))
        .order_by(EVENT.c.id)
    )
    found, since = [], None
    for kind, at in rows:
        if kind == "suspended":
            since = at
        elif since is not None:
            found.append((since, at))
            since = None
    return found


def _effective_start(
    move: Move,
    rule: Deadline | None,
    moment: datetime | None,
    pauses: list[tuple[datetime, datetime]],
    office: str | None = None,
) -> datetime | None:
    """`moment` moved by the time the clock stood still after it, as `resume` moves due times:
    stage points shared out from it fall where they would had there been no suspension."""
    duration = flow.allowed(rule, move.case)
    if moment is None or rule is None or duration is None:
        return moment
    calendar = office_calendar(move.county, rule.calendar, office)
    start = moment
    for since, until in pauses:
        if until > moment:  # a stop before the deadline began took none of its time
            paused = calendar.paused_time(max(since, moment), until, duration.unit)
            start = calendar.shift(start, paused, duration.unit)
    return start


def extend(
    conn: Connection,
    principal: Principal,
    ticket_id: int,
    *,
    amount: Duration,
    reason: str,
    approver: str,
    now: datetime,
) -> Move:
    loaded = loading.ticket(conn, ticket_id)
    rule = _check(principal, loaded, "延期", reason, approver)
    if loaded.case["status"] == "suspended":
        # Stages armed now would come due while the clock is stopped, find nothing to do,
        # count as fired and not be re-armed on resuming: extend once the case runs again.
        raise ActionRefused("案件已中止办理，请先恢复再延期")
    if amount.amount <= 0 and amount.unit != "end_of_workday":
        raise ActionRefused("延期时长必须大于 0")
    move = Move(
        conn=conn, county=loaded.county, case=loaded.case, now=now, actor=principal.display_name
    )
    t = loaded.ticket
    calendar = office_calendar(move.county, rule.calendar, t["office"])
    response.record(move, t, "延期")
    base = t["due_at"] or move.get("due_at") or now
    due = calendar.add(base, amount)
    conn.execute(update(TICKET).where(TICKET.c.id == ticket_id).values(due_at=due))
    # An approved extension moves the same deadline, it does not start a new one: stages that
    # fired stand (the grade stays, the open 督办单 stays the only one, no second reminder),
    # as the record of what happened under the due time then in force; stages not yet fired
    # move with the new due time. Cancel first, then read what fired: a timer the worker fired
    # meanwhile is then seen as fired and not armed again.
    timers.cancel_for_ticket(conn, ticket_id)
    process = move.county.processes[str(move.get("process"))]
    step = process.steps.get(str(t["step"]))
    case_due = move.get("due_at")
    moves_case = case_due is not None and case_due < due
    if moves_case:
        # The case's own deadline stages follow its due time, or they would fire as overdue
        # at a due time the case no longer has.
        timers.cancel_case_deadline(conn, move.case_id)
    fired = _fired_stages(conn, move.case_id)
    # Stage points are shared out from the start moved by the earlier suspensions, as on
    # resuming; from the unshifted start the stopped days would count as used time.
    stopped = _pauses(conn, move.case_id)
    rule_here = step.deadline if step else None
    start = _effective_start(move, rule_here, t["created_at"], stopped, t["office"]) or now
    flow.schedule_stages(move, rule_here, ticket_id, start, due, fired=fired, office=t["office"])
    if moves_case:
        move.set(due_at=due)
        own = _case_deadline(move)  # a court referral's, not the process's
        received = _effective_start(move, own, move.get("received_at"), stopped)
        flow.schedule_stages(move, own, None, received or now, due, fired=fired)
    move.event(
        "extended", ticket_id=ticket_id, note=f"{reason}（审批：{approver or '无需'}）", due_at=due
    )
    flow.save(move)
    return move
