"""Supervision links: a step of kind 督办 that runs beside handling instead of blocking it
(孝感's 五单 督办单 beside 接单 and 办理; 云梦's 归口督单 beside 部门接单 and 部门办理).

When the case enters one of the steps the link names (`伴随`), the link's ticket opens for its
holder (say the county center's 督办员) unless it is already open; the case goes on through
its steps without waiting for it. When the case enters any other step, the handling it
followed is over and the ticket closes by itself; closing the case cancels it like every
other ticket. From the case page its holder issues 督办单 to the office (engine.supervision).
The ticket is of kind "supervision", so moving the case on never cancels it by accident
(engine.flow.cancel_open leaves supervision tickets open).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select, update

from dsl.model import County, Process, Step
from engine import flow
from engine.flow import OPEN_STATES, Move
from engine.tables import TICKET

KIND = "supervision"


def is_link(county: County, case: dict[str, Any], ticket: dict[str, Any]) -> bool:
    process = county.processes.get(str(case["process"]))
    step = process.steps.get(str(ticket["step"])) if process is not None else None
    return step is not None and step.kind == KIND and ticket["office"] is None


def follow(move: Move, process: Process, previous: str, entered: Step) -> None:
    """The case goes from step `previous` into `entered`: open the links that run beside
    `entered` and not beside `previous`, close those beside `previous` and not `entered`.
    A move between two steps a link runs beside touches nothing (its ticket stays open)."""
    for link in process.steps.values():
        if link.kind != KIND:
            continue
        was, now = previous in link.beside, entered.key in link.beside
        if now and not was:
            _open(move, link, entered)
        elif was and not now:
            _close(move, link, entered)


def _current(link: Step) -> Any:
    return and_(
        TICKET.c.step == link.key,
        TICKET.c.kind == KIND,
        TICKET.c.office.is_(None),
        TICKET.c.state.in_(OPEN_STATES),
    )


def _open(move: Move, link: Step, entered: Step) -> None:
    found = move.conn.execute(
        select(TICKET.c.id).where(TICKET.c.case_id == move.case_id, _current(link)).limit(1)
    ).first()
    if found is not None or link.actor is None:
        return  # already following (a case sent back into the steps it runs beside)
    ticket_id = flow.open_ticket(move, link, link.actor, kind=KIND)
    move.event(
        "supervision_link_opened",
        ticket_id=ticket_id,
        note=f"{link.ticket or link.key}伴随「{entered.name}」跟踪督办",
    )


def _close(move: Move, link: Step, entered: Step) -> None:
    closed = move.conn.execute(
        update(TICKET)
        .where(TICKET.c.case_id == move.case_id, _current(link))
        .values(
            state="completed",
            completed_at=move.now,
            completed_by=move.actor,
            completed_name=move.actor,
        )
        .returning(TICKET.c.id)
    ).scalars()
    for ticket_id in list(closed):
        move.event(
            "supervision_link_closed",
            ticket_id=int(ticket_id),
            note=f"办理已转入「{entered.name}」，{link.ticket or link.key}跟踪结束",
        )
