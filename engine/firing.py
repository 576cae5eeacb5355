"""What the definition's stages do when their timers fire: reminders, colour grades,
supervision tickets (督办单) and automatic escalation. Registered on the timer dispatcher, so
`yidi worker` and the worker inside `yidi serve` run them in the timer's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from dsl import routing
from engine import flow, loading, national_calendar, response, timers
from engine.flow import OPEN_STATES, Move
from engine.tables import TICKET
from engine.timers import Deferred, TimerRow

SYSTEM = "系统"


def _move(conn: Connection, row: TimerRow, now: datetime) -> Move | None:
    """The case the timer is for, unless it is closed, suspended or the ticket is done."""
    if row.case_id is None:
        return None
    found = loading.case_if_free(conn, row.case_id)
    if found is None:
        raise Deferred(f"案件 {row.case_id} 正在办理")
    case, county = found
    if case["status"] != "open":
        return None
    if row.kind in response.KINDS and case.get("responded_at") is not None:
        return None  # answered meanwhile (its cancel and this firing raced; the case lock won)
    national_calendar.refresh(conn)  # an escalation's new deadline sees the table as it is now
    if row.ticket_id is not None:
        state = conn.execute(select(TICKET.c.state).where(TICKET.c.id == row.ticket_id)).scalar()
        if state not in OPEN_STATES:
            return None
    return Move(conn=conn, county=county, case=case, now=now, actor=SYSTEM)


def remind(conn: Connection, row: TimerRow, now: datetime) -> None:
    move = _move(conn, row, now)
    if move is not None:
        role = str(row.payload.get("role") or "办理人")
        what = str(row.payload.get("note") or "时限将到")
        move.event("reminded", ticket_id=row.ticket_id, note=f"提醒{role}：{what}")


def colour(conn: Connection, row: TimerRow, now: datetime) -> None:
    move = _move(conn, row, now)
    if move is None:
        return
    grade = str(row.payload.get("colour") or "")
    order = list(move.county.colours)
    if row.ticket_id is not None:
        conn.execute(TICKET.update().where(TICKET.c.id == row.ticket_id).values(colour=grade))
    current = str(move.get("colour") or "")
    # The case shows its gravest grade: a milder ticket grade never lowers it.
    if grade in order and (current not in order or order.index(grade) > order.index(current)):
        move.set(colour=grade)
    move.event("colour", ticket_id=row.ticket_id, colour=grade)
    flow.save(move)


def supervise(conn: Connection, row: TimerRow, now: datetime) -> None:
    move = _move(conn, row, now)
    if move is None:
        return
    # One open 督办单 per case at a time: a deadline that runs out again (say the ticket an
    # escalation opened) while the earlier one is unanswered records that it fired, so the
    # timeline shows the case went overdue again, but opens no second ticket; once that one
    # is answered a later overdue opens a new one. The case row is locked (`_move`), so two
    # timers of the case firing at once cannot both find none open.
    pending = conn.execute(
        select(TICKET.c.id, TICKET.c.center)
        .where(
            TICKET.c.case_id == move.case_id,
            TICKET.c.state.in_(OPEN_STATES),
            TICKET.c.kind == "supervision",
        )
        .order_by(TICKET.c.id)
        .limit(1)
    ).first()
    if pending is not None:
        move.set(supervised=True)
        move.event(
            "supervised",
            ticket_id=int(pending.id),
            note=f"再次超时，{pending.center} 督办单仍未回复",
            supervised=True,
        )
        flow.save(move)
        return
    level = str(row.payload.get("at_level") or "")
    found = routing.center_at_level(move.county, str(move.get("center")), level) if level else None
    center = found.key if found else routing.ancestors(move.county, str(move.get("center")))[-1].key
    ticket_id = conn.execute(
        insert(TICKET)
        .values(
            county_id=move.county_id,
            case_id=move.case_id,
            step=str(move.get("step") or ""),
            name="督办单",
            kind="supervision",
            state="open",
            center=center,
            office=None,
            role=str(row.payload.get("role") or ""),
            created_at=now,
            colour="",
        )
        .returning(TICKET.c.id)
    ).scalar_one()
    move.set(supervised=True)
    why = f"：{row.payload['note']}" if row.payload.get("note") else ""
    move.event("supervised", ticket_id=int(ticket_id), note=f"{center} 督办{why}", supervised=True)
    flow.save(move)


def escalate(conn: Connection, row: TimerRow, now: datetime) -> None:
    move = _move(conn, row, now)
    if move is None:
        return
    here = move.county.centers[str(move.get("center"))]
    if here.parent is None:
        move.event("escalation_impossible", note=f"「{here.name}」已是最高层级，仍超时")
        return
    parent = move.county.centers[here.parent]
    step = str(move.get("step") or "")
    if not flow.move_to(move, parent.key):
        note = flow.no_office_message(move.county, parent.key, move.get("office"))
        move.event("escalation_impossible", note=f"超时自动提级未执行：{note}")
        return
    flow.cancel_open(move)
    move.set(escalations=int(move.get("escalations")) + 1)
    move.event("escalated", note="超时自动提级", center=parent.key, level=parent.level)
    flow.enter(move, step)
    flow.save(move)


HANDLERS = {
    "remind": remind,
    "colour": colour,
    "supervise": supervise,
    "escalate": escalate,
    # the route's response timer (engine.response): the same reminder and supervision
    response.REMIND: remind,
    response.SUPERVISE: supervise,
}
for _kind, _fn in HANDLERS.items():
    timers.register_handler(_kind, _fn)


def fire(conn: Connection, row: TimerRow, now: datetime) -> None:
    """The engine's handler for `timers.fire_due`: dispatch by the timer's kind."""
    timers.DEFAULT_DISPATCHER(conn, row, now)
