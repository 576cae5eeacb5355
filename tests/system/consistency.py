"""What must hold of the database after any crash: every case whole (its tickets, events and
case row agree), read straight from the tables the server wrote."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import Engine, select

from engine.tables import CASE, EVENT, TICKET
from engine.timers import timer

OPEN = ("open", "claimed")


def problems(db: Engine) -> list[str]:
    """Each inconsistency found, in words (empty when every case is whole)."""
    found: list[str] = []
    with db.connect() as conn:
        cases = conn.execute(select(CASE.c.id, CASE.c.code, CASE.c.status, CASE.c.step)).all()
        tickets = conn.execute(
            select(
                TICKET.c.id,
                TICKET.c.case_id,
                TICKET.c.step,
                TICKET.c.kind,
                TICKET.c.state,
                TICKET.c.completed_by,
                TICKET.c.completed_at,
            )
        ).all()
        events = conn.execute(select(EVENT.c.case_id, EVENT.c.ticket_id, EVENT.c.kind)).all()
    received = Counter(e.case_id for e in events if e.kind == "received")
    with_event = {e.ticket_id for e in events if e.ticket_id is not None}
    by_case = defaultdict(list)
    for ticket in tickets:
        by_case[ticket.case_id].append(ticket)
    for case in cases:
        if received[case.id] != 1:
            found.append(f"{case.code}: {received[case.id]} received events")
        working = [t for t in by_case[case.id] if t.state in OPEN and t.kind != "supervision"]
        if case.status == "closed" and any(t.state in OPEN for t in by_case[case.id]):
            found.append(f"{case.code}: closed with open tickets")
        if case.status == "open":
            if not working:
                found.append(f"{case.code}: open at {case.step} without an open ticket")
            for ticket in working:
                if ticket.step != case.step:
                    found.append(f"{case.code}: at {case.step}, open ticket at {ticket.step}")
        for ticket in by_case[case.id]:
            if ticket.state == "completed":
                if not ticket.completed_by or ticket.completed_at is None:
                    found.append(f"{case.code}: ticket {ticket.id} completed by nobody")
                if ticket.id not in with_event:
                    found.append(f"{case.code}: ticket {ticket.id} completed without an event")
    return found


def fired_once(db: Engine, tags: dict[int, str]) -> tuple[int, int, list[str]]:
    """(timers fired, their reminders written, problems) for reminder timers whose notes
    carry their tag (timer id -> tag): each must be fired and its reminder written once."""
    with db.connect() as conn:
        rows = conn.execute(select(timer.c.id, timer.c.fired_at).where(timer.c.id.in_(list(tags))))
        fired = {row.id: row.fired_at for row in rows}
        notes = Counter(
            conn.execute(select(EVENT.c.note).where(EVENT.c.kind == "reminded")).scalars()
        )
    wrong = [f"timer {i} not fired" for i in tags if fired.get(i) is None]
    written = 0
    for timer_id, tag in tags.items():
        times = notes[f"提醒{tag}：时限将到"]
        written += times
        if times != 1:
            wrong.append(f"timer {timer_id}: reminder written {times} times")
    return sum(1 for i in tags if fired.get(i) is not None), written, wrong
