"""Acting on tickets: which actions a user may take, and taking one (validate the form, finish
the ticket, move the case) in one transaction.

Exactly one of two concurrent actors wins: the ticket is finished by a guarded UPDATE
(`WHERE state IN ('open','claimed')`) that only one transaction can match; the other sees no
row changed and is told who handled it and when.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from dsl import routing
from dsl.model import Action, County, Step, action_form
from engine import (
    conditions,
    court,
    diversion,
    driver,
    flow,
    formcheck,
    loading,
    mediators,
    response,
    revisit_fail,
    supervision,
    supervision_link,
)
from engine import statements as sql
from engine.clock import CST
from engine.court_forms import TICKET_KIND as COURT_KIND
from engine.errors import ActionRefused
from engine.flow import OPEN_STATES, Move
from engine.outcomes import outcome_columns
from engine.scope import OTHER_COUNTY, Principal, in_county, may_work
from engine.tables import TICKET
from engine.views import ActionOption

EVENT_KIND = {
    "complete": "completed",
    "return": "returned",
    "transfer": "transferring",
    "escalate": "escalating",
    "push_down": "pushing_down",
    "reopen": "reopened",
    "suspend": "suspended",
    "extend": "extended",
    "divert": "diverting",
    "close": "closing",
}
SUPERVISION_REPLY = Action(key="回复督办", name="回复督办", effect="complete", target=None)
# A 督办单 issued to an office by hand (engine.supervision) is answered with a reply text.
SUPERVISION_ANSWER = replace(SUPERVISION_REPLY, requires_reason=True)


def handled_message(ticket: dict[str, Any]) -> str:
    who = (
        ticket.get("completed_name")
        or ticket.get("completed_by")
        or ticket.get("claimed_by")
        or "他人"
    )
    at = ticket.get("completed_at")
    when = f" 于 {at.astimezone(CST):%Y-%m-%d %H:%M}" if isinstance(at, datetime) else ""
    if ticket.get("state") == "claimed":
        return f"该单已由 {who} 签收，正在办理"
    return f"该单已由 {who}{when} 办理"


def step_of(county: County, case: dict[str, Any], ticket: dict[str, Any]) -> Step | None:
    process = county.processes.get(str(case["process"]))
    if process is None or ticket["kind"] in ("supervision", diversion.REPORT_KIND, COURT_KIND):
        return None
    return process.steps.get(str(ticket["step"]))


def actions_of(county: County, case: dict[str, Any], ticket: dict[str, Any]) -> tuple[Action, ...]:
    if ticket["kind"] == "supervision":
        if supervision.is_addressed(ticket):
            return (SUPERVISION_ANSWER,)
        if supervision_link.is_link(county, case, ticket):
            return ()  # follows the case; closes when handling is done (engine.supervision_link)
        return (SUPERVISION_REPLY,)
    if ticket["kind"] == diversion.REPORT_KIND:
        return (diversion.REPORT_ACTION,)
    if ticket["kind"] == COURT_KIND:  # the court link's 法院跟踪单 (engine/court.py)
        return court.actions(ticket)
    step = step_of(county, case, ticket)
    if step is None:
        return ()
    failing = revisit_fail.fail_action(step)
    return (*step.actions, failing) if failing is not None else step.actions


def _choices(
    county: County, case: dict[str, Any], step: Step | None, action: Action
) -> tuple[str, ...]:
    if action.effect == "transfer":
        return _transfer_targets(county, case, step)
    if action.effect == "push_down":
        return tuple(c.key for c in routing.children(county, str(case["center"])))
    if action.effect == "divert":
        return diversion.allowed(county, case)
    return ()


def available(principal: Principal, loaded: loading.Loaded) -> list[ActionOption]:
    t, case, county = loaded.ticket, loaded.case, loaded.county
    if t["state"] not in OPEN_STATES or (
        case["status"] == "suspended" and t["kind"] != "supervision"
    ):
        return []
    if not in_county(principal, county) or not may_work(
        principal, t["center"], t["office"], t["role"]
    ):
        return []
    if t["state"] == "claimed" and t["claimed_by"] != principal.username:
        return []
    step = step_of(county, case, t)
    options = []
    for action in actions_of(county, case, t):
        if not conditions.holds(action.condition, case, None):
            continue
        form = action_form(step, action)
        options.append(
            ActionOption(
                key=action.key,
                name=action.name,
                effect=action.effect,
                target=action.target,
                form=form,
                requires_reason=action.requires_reason
                or action.effect in ("return", "suspend", "extend"),
                choices=_choices(county, case, step, action),
            )
        )
    return options


def check(principal: Principal, loaded: loading.Loaded, expected_state: str) -> None:
    t = loaded.ticket
    if t["state"] not in OPEN_STATES or (
        t["state"] == "claimed" and t["claimed_by"] != principal.username
    ):
        raise ActionRefused(handled_message(t))
    if expected_state not in ("", "open", t["state"]):
        raise ActionRefused(handled_message(t))
    if not in_county(principal, loaded.county):
        raise ActionRefused(OTHER_COUNTY)
    if not may_work(principal, t["center"], t["office"], t["role"]):
        where = f"{t['center']}{'/' + t['office'] if t['office'] else ''}"
        raise ActionRefused(f"您不是该单的办理人（需要 {where} 的「{t['role']}」角色）")
    if loaded.case["status"] == "suspended" and t["kind"] != "supervision":
        raise ActionRefused("案件已中止办理，请先恢复")


def find_action(loaded: loading.Loaded, key: str, data: dict[str, Any], reason: str) -> Action:
    actions = {a.key: a for a in actions_of(loaded.county, loaded.case, loaded.ticket)}
    action = actions.get(key)
    if action is None:
        offered = "、".join(actions) or "无"
        raise ActionRefused(f"该单没有「{key}」操作（可用：{offered}）")
    if not conditions.holds(action.condition, loaded.case, data):
        raise ActionRefused(f"当前案件不满足「{action.name}」的条件")
    if (action.requires_reason or action.effect == "return") and not reason.strip():
        raise ActionRefused(f"「{action.name}」必须填写理由")
    return action


def finish(
    conn: Connection,
    principal: Principal,
    ticket: dict[str, Any],
    action: Action,
    data: dict[str, Any],
    reason: str,
    now: datetime,
    *,
    timed: bool = True,
) -> None:
    """The guarded UPDATE: exactly one transaction finishes an open ticket (and drops its
    pending timers when its step has timed stages)."""
    state = "returned" if action.effect == "return" else "completed"

    def only_one(done: int) -> None:
        if done != 1:
            fresh = conn.execute(select(TICKET).where(TICKET.c.id == ticket["id"]))
            raise ActionRefused(handled_message(dict(fresh.mappings().one())))

    # Checked at once, or (a pipelined transaction, engine.pipeline) when the answer comes
    # back with a later statement's and always before COMMIT: no second finish ever commits.
    driver.execute_checked(
        conn,
        sql.FINISH_TICKET,
        dict(
            where_ticket=ticket["id"],
            actor=principal.username,
            state=state,
            completed_at=now,
            completed_by=principal.username,
            completed_name=principal.display_name,
            action=action.key,
            reason=reason or None,
            data=data,
        ),
        only_one,
    )
    if timed:
        driver.run(conn, sql.DROP_ONE_TICKET_TIMERS, {"ticket_id": int(ticket["id"])})


def act(
    conn: Connection,
    principal: Principal,
    ticket_id: int,
    key: str,
    data: dict[str, Any],
    *,
    reason: str,
    expected_state: str,
    now: datetime,
) -> Move:
    """Take action `key` on a ticket; returns the case id."""
    loaded = loading.ticket(conn, ticket_id)
    check(principal, loaded, expected_state)
    action = find_action(loaded, key, data, reason)
    step = step_of(loaded.county, loaded.case, loaded.ticket)
    formcheck.validate(loaded.county, action_form(step, action), data)
    action = revisit_fail.effective(step, action, data)
    if action.effect in ("suspend", "extend"):
        return _pause(conn, principal, ticket_id, action, data, reason, now)
    timed = step is not None and step.deadline is not None and bool(step.deadline.stages)
    finish(conn, principal, loaded.ticket, action, data, reason, now, timed=timed)
    move = Move(
        conn=conn,
        county=loaded.county,
        case=loaded.case,
        now=now,
        actor=principal.display_name,
        batch_events=True,  # flow.save below writes them
    )
    response.record(move, loaded.ticket, f"办理「{action.name}」")
    apply(move, loaded.ticket, action, data, reason)
    mediators.record(move, principal, loaded.ticket, action, data)  # who did it (issue 22)
    _carry_on(move, principal, loaded.ticket, action, reason)
    flow.save(move)
    return move


RETURNED_WITHOUT_REASON = "（未说明理由）"


def _carry_on(
    move: Move, principal: Principal, ticket: dict[str, Any], action: Action, reason: str
) -> None:
    """What the tickets this action opened carry over from it. A return: its reason, for the
    inbox's 退回 mark. A completed step followed by one the same hands work (接单 -> 办理: the
    same role at the same office): the new ticket is signed for by whoever acted, so the
    office that accepted the case need not sign for it a second time before handling it."""
    if not move.opened:
        return
    if action.effect == "return":
        move.conn.execute(
            update(TICKET)
            .where(TICKET.c.id.in_(move.opened))
            .values(returned_reason=(reason.strip() or RETURNED_WITHOUT_REASON))
        )
        return
    if action.effect != "complete" or not principal.memberships:
        return  # a system caller (API, timer) signs for nothing
    # Only tickets that can be the same hands' are read (for their state): where each new
    # ticket is placed is known from its INSERT, so most actions skip the read (a round trip).
    candidates = [
        tid
        for tid in move.opened
        if (placed := move.placed.get(tid)) is None
        or (
            placed[2] == ticket["role"]
            and placed[1] == ticket["office"]
            and may_work(principal, *placed)
        )
    ]
    if not candidates:
        return
    rows = move.conn.execute(
        select(TICKET.c.id, TICKET.c.center, TICKET.c.office, TICKET.c.role).where(
            TICKET.c.id.in_(candidates), TICKET.c.state == "open"
        )
    ).all()
    for row in rows:
        same_hands = row.role == ticket["role"] and row.office == ticket["office"]
        if same_hands and may_work(principal, row.center, row.office, row.role):
            move.conn.execute(
                update(TICKET)
                .where(TICKET.c.id == row.id, TICKET.c.state == "open")
                .values(state="claimed", claimed_by=principal.username)
            )
            move.event(
                "claimed",
                ticket_id=row.id,
                claimed_by=principal.username,
                note=f"「{action.name}」后由其继续办理",
            )


def _pause(
    conn: Connection,
    principal: Principal,
    ticket_id: int,
    action: Action,
    data: dict[str, Any],
    reason: str,
    now: datetime,
) -> Move:
    """Suspend / extend offered as actions: approver (and for extensions amount and unit,
    working days by default) come from the submitted data."""
    from dsl.model import Duration
    from engine import pauses

    approver = str(data.get("approver") or "")
    if action.effect == "suspend":
        return pauses.suspend(conn, principal, ticket_id, reason=reason, approver=approver, now=now)
    try:
        amount = Duration(int(data.get("amount", 0)), data.get("unit") or "workday")
    except (TypeError, ValueError) as exc:
        raise ActionRefused("延期时长应为整数") from exc
    if amount.unit not in ("minute", "hour", "day", "workday", "month"):
        raise ActionRefused(f"延期单位「{amount.unit}」无效")
    return pauses.extend(
        conn, principal, ticket_id, amount=amount, reason=reason, approver=approver, now=now
    )


def apply(
    move: Move, ticket: dict[str, Any], action: Action, data: dict[str, Any], reason: str
) -> None:
    tid = int(ticket["id"])
    move.event(
        EVENT_KIND[action.effect],
        ticket_id=tid,
        note=reason,
        step=ticket["step"],
        action=action.key,
    )
    _record_outcome(move, action, data)
    if ticket["kind"] == "verification":
        move.set(verified=action.effect != "reopen")
        step = step_of(move.county, move.case, ticket)
        if step is not None and action.key == revisit_fail.FAIL_KEY:
            move.event("verification_failed", ticket_id=tid, note=revisit_fail.note(step, action))
    if ticket["kind"] == "supervision":
        supervision.replied(move, ticket, reason)
        return
    if ticket["kind"] == COURT_KIND:  # the court liaison's record (engine/court.py)
        court.apply(move, ticket, action, data)
        return
    if ticket["join_group"] and action.effect == "complete" and _others_open(move, ticket):
        return  # a consultation continues when the last view is in
    effect = action.effect
    # A center's score, whether its action goes on (完成) or closes (办结): a low one follows
    # the evaluation's 差评 rule instead of the action.
    scoring = effect in ("complete", "close") and ticket["kind"] == "evaluation"
    if scoring and _scored(move, ticket, data):
        if move.get("status") == "closed":
            flow.cancel_open(move)
        return
    if effect == "complete":
        _assign(move, data)
    if effect == "escalate":
        _escalate(move, reason)
    elif effect == "push_down":
        _push_down(move, str(data.get("center") or ""))
    elif effect == "reopen":
        move.set(
            status="open",
            closed_at=None,
            closed_on_time=None,
            resolved=None,
            reopenings=int(move.get("reopenings")) + 1,
        )
    elif effect == "transfer":
        _transfer(move, ticket, str(data.get("office") or ""))
        return
    elif effect == "divert":
        diversion.divert(move, tid, action, data)
    diversion.record(move, tid, data)
    if effect != "complete":  # a completed step has no other open ticket (joins wait above)
        flow.cancel_open(move)
    if move.get("status") == "closed" and effect != "reopen":
        _after_close(move, action)
        return
    flow.enter(move, None if effect == "close" else action.target, note=reason)


def _scored(move: Move, ticket: dict[str, Any], data: dict[str, Any]) -> bool:
    """A center evaluating through its form (a `score` field): record it as an evaluation."""
    from engine import evaluation

    score = data.get("score")
    step = step_of(move.county, move.case, ticket)
    if not isinstance(score, str) or step is None or step.evaluation is None:
        return False
    if score not in step.evaluation.scale:
        raise ActionRefused(f"评价「{score}」无效，可选：{'、'.join(step.evaluation.scale)}")
    move.set(satisfaction=score)
    move.event("evaluated", ticket_id=int(ticket["id"]), satisfaction=score)
    evaluation.after_score(move, step, score)
    return True


def _assign(move: Move, data: dict[str, Any]) -> None:
    """A dispatch form may name the office that takes the case (派单 to another office)."""
    office = data.get("office")
    center = str(move.get("center"))
    if isinstance(office, str):
        office = office_key(move.county, office.strip(), center)
    if not isinstance(office, str) or not office or office == move.get("office"):
        return
    if office not in move.county.offices:
        raise ActionRefused(f"承办单位「{office}」不是本县区的单位")
    if not routing.office_stationed_at(move.county, office, center):
        name = move.county.centers[center].name
        raise ActionRefused(f"承办单位「{office}」没有入驻{name}，不能派给它")
    move.set(office=office)
    move.event("assigned", office=office)


def office_key(county: County, named: str, center: str) -> str:
    """An office named as people name it: its key, its display name, or either after the
    center's (「书院街道司法所」 for 司法所 at 书院街道); anything else as it came."""
    if named in county.offices:
        return named
    here = county.centers.get(center)
    prefixes = ("",) if here is None else ("", here.key, here.name)
    for key, office in county.offices.items():
        if any(named in (p + key, p + office.name) for p in prefixes):
            return key
    return named


def _after_close(move: Move, action: Action) -> None:
    """Work on a closed case (a sampled revisit): record verification, do not reopen."""
    move.set(verified=True, step=action.target or move.get("step"))
    move.event("verified", verified=True)


def _others_open(move: Move, ticket: dict[str, Any]) -> bool:
    count = move.conn.execute(
        select(func.count())
        .select_from(TICKET)
        .where(TICKET.c.join_group == ticket["join_group"], TICKET.c.state.in_(OPEN_STATES))
    ).scalar_one()
    return int(count) > 0


def _record_outcome(move: Move, action: Action, data: dict[str, Any]) -> None:
    if action.outcome:
        move.set(outcome=action.outcome, **outcome_columns(move, action.outcome))
    for column in ("mediator", "studio", "leader"):
        if isinstance(data.get(column), str) and data[column]:
            move.set(**{column: data[column][:100]})


def _escalate(move: Move, reason: str) -> None:
    here = move.county.centers[str(move.get("center"))]
    if here.parent is None:
        raise ActionRefused(f"「{here.name}」已是最高层级中心，无法提级")
    parent = move.county.centers[here.parent]
    if not flow.move_to(move, parent.key):
        raise ActionRefused(flow.no_office_message(move.county, parent.key, move.get("office")))
    move.set(escalations=int(move.get("escalations")) + 1)
    move.event("escalated", note=reason, center=parent.key, level=parent.level)


def _push_down(move: Move, child: str) -> None:
    here = str(move.get("center"))
    node = move.county.centers.get(child)
    if (
        node is None
        or child == here
        or here not in [c.key for c in routing.ancestors(move.county, child)]
    ):
        names = "、".join(c.key for c in routing.children(move.county, here)) or "无"
        raise ActionRefused(f"下沉目标「{child}」不是「{here}」的下级中心（可选：{names}）")
    if not flow.move_to(move, node.key):
        raise ActionRefused(flow.no_office_message(move.county, node.key, move.get("office")))
    move.event("pushed_down", center=node.key, level=node.level)


def _transfer(move: Move, ticket: dict[str, Any], office: str) -> None:
    if office not in move.county.offices:
        raise ActionRefused(f"转办目标「{office}」不是本县区的单位")
    step = move.county.processes[str(move.get("process"))].step(str(ticket["step"]))
    actor = step.actor
    assert actor is not None
    if office not in _transfer_targets(move.county, move.case, step):
        raise ActionRefused(
            f"转办目标「{office}」没有入驻「{move.get('center')}」及其上级中心，"
            f"或没有「{actor.role}」：不能转办给它"
        )
    move.set(office=office)
    # The new office works the step where it is stationed (this center or the nearest above).
    there = replace(actor, where="office", office=office)
    flow.open_ticket(move, step, there, office=office)
    move.event("transferred", office=office)


def _transfer_targets(county: County, case: dict[str, Any], step: Step | None) -> tuple[str, ...]:
    """Offices a step may be transferred to: stationed at the case's center or above it, and
    with the role that works the step."""
    role = step.actor.role if step is not None and step.actor is not None else ""
    chain = [c.key for c in routing.ancestors(county, str(case["center"]))]
    return tuple(
        key
        for key, office in county.offices.items()
        if (not role or role in office.roles)
        and any(routing.office_stationed_at(county, key, c) for c in chain)
    )


def claim(conn: Connection, principal: Principal, ticket_id: int, now: datetime) -> int:
    loaded = loading.ticket(conn, ticket_id)
    check(principal, loaded, "open")
    done = conn.execute(
        update(TICKET)
        .where(TICKET.c.id == ticket_id, TICKET.c.state == "open")
        .values(state="claimed", claimed_by=principal.username)
    )
    if done.rowcount != 1:
        fresh = conn.execute(select(TICKET).where(TICKET.c.id == ticket_id)).mappings().one()
        raise ActionRefused(handled_message(dict(fresh)))
    move = Move(
        conn=conn, county=loaded.county, case=loaded.case, now=now, actor=principal.display_name
    )
    move.event("claimed", ticket_id=ticket_id, claimed_by=principal.username)
    response.record(move, loaded.ticket, "签收")
    flow.save(move)
    return move.case_id
