"""Who did it (issue 22): the mediator(s) of each case, recorded by the engine from the actions.

When an action records an outcome (动作 … 结果 X), the person who took it is the case's mediator
(part `recorded`); whoever took the case in for that office before (signed for the ticket, 签收,
or finished an earlier step of the case at the same office and center, 接单) is recorded with
them (part `accepted`) when it was someone else. So per-mediator, per-studio and per-office figures
need no form field: the case's `mediator` and `studio` columns are filled from the recorder
unless the action's form named a mediator itself (then the form wins, as before).

A studio (品牌调解工作室) is credited when the recorder is its named mediator (主理人). A court
confirming an agreement (类别 司法确认) is not mediation work: the judge is recorded (the reward
ledger pays the case's mediator for it, engine/reports/rewards.py) but does not become the
case's mediator.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ForeignKey, Index, String, Table, desc, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from dsl.model import Action, County
from engine.db import Base, UTCDateTime
from engine.flow import Move
from engine.scope import Principal
from engine.tables import EVENT, TICKET

# Meanings whose recorder mediated the case (the others: diverted, sent to court, confirmed).
MEDIATION_WORK = frozenset({"resolved", "mediated", "mediation_failed", "unresolved"})
PARTS = {"recorded": "记录结果", "accepted": "签收办理"}


class CaseMediator(Base):
    """One person's part in one outcome of a case: who recorded it, who had signed for it."""

    __tablename__ = "case_mediator"
    __table_args__ = (
        Index("ix_case_mediator_county_at", "county_id", "at"),
        Index("ix_case_mediator_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    part: Mapped[str] = mapped_column(String(20))  # recorded | accepted
    username: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))  # display name, what the figures show
    center: Mapped[str] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    studio: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(100))
    meaning: Mapped[str | None] = mapped_column(String(40))  # None: the outcome has none declared
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Whom this outcome credits, fixed when it is recorded (the reward ledger pays them): the
    # case's mediator and studio just after the action: the recorder (or the mediator the form
    # named) for mediation work, the case's earlier mediator for a court's confirmation.
    credited: Mapped[str | None] = mapped_column(String(100))
    credited_studio: Mapped[str | None] = mapped_column(String(100))


CASE_MEDIATOR = cast(Table, CaseMediator.__table__)


def studio_of(county: County, name: str, office: str | None) -> str | None:
    """The studio whose named mediator is `name` (the one of `office` first when several)."""
    found = [s for s in county.studios.values() if s.mediator == name]
    mine = [s for s in found if s.office == office]
    chosen = (mine or found)[:1]
    return chosen[0].key if chosen else None


def _acceptors(move: Move, ticket: dict[str, Any], recorder: str) -> list[tuple[str, str]]:
    """(username, display name) of the others who took the case in for this office before the
    outcome: whoever signed for this ticket, and whoever finished an earlier ticket of the
    case at the same office and center (接单 before 办理), latest first."""
    found: dict[str, str] = {}
    claimer = ticket.get("claimed_by")
    if isinstance(claimer, str) and claimer and claimer != recorder:
        row = move.conn.execute(
            select(EVENT.c.actor)
            .where(EVENT.c.ticket_id == int(ticket["id"]), EVENT.c.kind == "claimed")
            .order_by(desc(EVENT.c.id))
            .limit(1)
        ).first()
        found[claimer] = claimer if row is None else str(row.actor)
    if ticket.get("office") is None:
        return list(found.items())  # a center's own step: nobody accepted it for an office
    earlier = move.conn.execute(
        select(TICKET.c.completed_by, TICKET.c.completed_name)
        .where(
            TICKET.c.case_id == move.case_id,
            TICKET.c.id != int(ticket["id"]),
            TICKET.c.office == ticket["office"],
            TICKET.c.center == ticket["center"],
            TICKET.c.state == "completed",
            TICKET.c.kind == "task",
            TICKET.c.completed_by.is_not(None),
            TICKET.c.completed_by != recorder,
        )
        .order_by(desc(TICKET.c.id))
        .limit(1)
    ).first()
    if earlier is not None:
        found.setdefault(
            str(earlier.completed_by), str(earlier.completed_name or earlier.completed_by)
        )
    return list(found.items())


def record(
    move: Move,
    principal: Principal,
    ticket: dict[str, Any],
    action: Action,
    data: dict[str, Any],
) -> None:
    """After an action: when it recorded an outcome, who recorded it and who had accepted the
    ticket; the case's mediator and studio follow the recorder for mediation work."""
    if not action.outcome or not principal.memberships:
        return  # no outcome, or a system caller (API, timer): no person to credit
    meaning = move.county.outcomes.get(action.outcome)
    office = ticket.get("office")
    common = dict(
        county_id=move.county_id,
        case_id=move.case_id,
        ticket_id=int(ticket["id"]),
        center=str(ticket["center"]),
        office=office,
        outcome=action.outcome,
        meaning=meaning,
        at=move.now,
    )
    name = principal.display_name
    rows = [
        dict(
            common,
            part="recorded",
            username=principal.username,
            name=name[:100],
            studio=studio_of(move.county, name, office),
        )
    ]
    for username, accepted in _acceptors(move, ticket, principal.username):
        rows.append(
            dict(
                common,
                part="accepted",
                username=username[:100],
                name=accepted[:100],
                studio=studio_of(move.county, accepted, office),
            )
        )
    if meaning in MEDIATION_WORK:
        # What the action's form named (a mediator, a studio) was recorded as given: it wins.
        for column, value in (("mediator", name[:100]), ("studio", rows[0]["studio"])):
            named = data.get(column)
            if not (isinstance(named, str) and named.strip()):
                move.set(**{column: value})
    for row in rows:
        row.update(credited=move.get("mediator"), credited_studio=move.get("studio"))
    move.conn.execute(insert(CASE_MEDIATOR), rows)
