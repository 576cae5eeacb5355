"""Moving a case through its process: opening a step's tickets where routing says, with their
deadlines and stage timers, and closing the case. Runs inside the caller's transaction.

A `Move` carries one transaction's view of a case; changes to the case row are collected in
`changes` and written once by `save`, with one event for the whole change.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from dsl import routing
from dsl.model import Actor, County, Deadline, Duration, Step
from engine import audit, driver, outbox
from engine import statements as sql
from engine.errors import ActionRefused
from engine.stationing import called_in_note, office_calendar, on_call
from engine.tables import TICKET

OPEN_STATES = ("open", "claimed")


@dataclass
class Move:
    conn: Connection
    county: County
    case: dict[str, Any]  # the case row as read at the start of the transaction
    now: datetime
    actor: str
    changes: dict[str, Any] = field(default_factory=dict)
    opened: list[int] = field(default_factory=list)
    # (center, office, role) of each ticket opened here, as inserted (never updated after):
    # lets actions._carry_on skip its read when no new ticket can be the same hands' (issue 23)
    placed: dict[int, tuple[str, str | None, str]] = field(default_factory=dict)
    # When set, events wait in `pending` and `save` writes them in one statement with the
    # case UPDATE; only for callers that end with `save` (nothing reads events in between).
    batch_events: bool = False
    pending: list[dict[str, Any]] = field(default_factory=list)

    @property
    def case_id(self) -> int:
        return int(self.case["id"])

    @property
    def county_id(self) -> int:
        return int(self.case["county_id"])

    def get(self, column: str) -> Any:
        return self.changes.get(column, self.case.get(column))

    def set(self, **values: Any) -> None:
        self.changes.update(values)

    def event(
        self, kind: str, *, ticket_id: int | None = None, note: str = "", **after: Any
    ) -> None:
        before = {k: self.case.get(k) for k in after if k in self.case}
        row = audit.row(
            county_id=self.county_id,
            case_id=self.case_id,
            ticket_id=ticket_id,
            at=self.now,
            actor=self.actor,
            kind=kind,
            before=before or None,
            after=after or None,
            note=note,
        )
        if self.batch_events:
            self.pending.append(row)
        else:
            audit.insert(self.conn, row)


def save(move: Move) -> None:
    """Write the waiting events (one statement on SQLite) and the collected case changes
    (one UPDATE)."""
    if move.pending:
        audit.record_many(move.conn, move.pending)
        move.pending = []
    if move.changes:
        move.changes["updated_at"] = move.now
        driver.run(move.conn, sql.UPDATE_CASE, {"where_case": move.case_id, **move.changes})
        before = {k: move.case.get(k) for k in outbox.WATCHED}
        move.case.update(move.changes)
        move.changes = {}
        if any(before[k] != move.case.get(k) for k in outbox.WATCHED):
            # the reply to the system that pushed the case in, in this same transaction
            outbox.enqueue(move.conn, move.case, before, move.now, move.county.outcomes)


# --- where a step's work goes -------------------------------------------------------------


def place(county: County, case: dict[str, Any], actor: Actor) -> tuple[str, str | None]:
    """(center, office) of the ticket for `actor` on this case, from routing or the step."""
    center = str(case["center"])
    if actor.where == "routed_office":
        return center, case["office"]
    if actor.where == "office":
        for node in routing.ancestors(county, center):
            if routing.office_stationed_at(county, actor.office, node.key):
                return node.key, actor.office
        return center, actor.office
    if actor.where == "center":
        found = routing.center_at_level(county, center, actor.level) if actor.level else None
        return (found.key if found else center), None
    return str(case["received_center"]), None  # window: first-asked responsibility stays put


def move_to(move: Move, center: str) -> bool:
    """Move the case to `center` (escalation, push-down). Its office stays when stationed
    there, else routing chooses again at that center (`routing.office_at`): a ticket never
    goes to an office that is not there. False (nothing changed) when no office there can
    take the case."""
    office = move.get("office")
    chosen = routing.office_at(
        move.county, office, str(move.get("category")), str(move.get("severity")), center
    )
    if chosen is None:
        return False
    node = move.county.centers[center]
    move.set(center=node.key, level=node.level)
    if chosen != office:
        move.set(office=chosen)
        note = f"「{office}」未入驻{node.name}，改由「{chosen}」承办"
        move.event("assigned", office=chosen, note=note)
    return True


def no_office_message(county: County, center: str, office: Any) -> str:
    name = county.centers[center].name
    return (
        f"「{name}」没有可承办本案的单位：「{office}」未入驻该中心，"
        "该层级也没有可用的分派规则或兜底单位"
    )


# --- deadlines ----------------------------------------------------------------------------


def allowed(deadline: Deadline | None, case: dict[str, Any]) -> Duration | None:
    if deadline is None:
        return None
    return deadline.allowed(str(case["severity"]), str(case["level"]))


def due_time(
    county: County,
    deadline: Deadline | None,
    case: dict[str, Any],
    start: datetime,
    office: str | None = None,
) -> datetime | None:
    """When the deadline runs out: on the calendar of the office doing the work (a rotating
    office counts its stationed days only), or the county's for the case's own deadline."""
    duration = allowed(deadline, case)
    if deadline is None or duration is None:
        return None
    return office_calendar(county, deadline.calendar, office).add(start, duration)


# One stage effect of one deadline (the ticket's, or the case's when ticket_id is None): what
# a timer's ticket, kind and payload say, so a fired timer can be told from one still to come.
StageKey = tuple[int | None, str, int, str, str, str]


def stage_key(ticket_id: int | None, kind: str, payload: Mapping[str, Any]) -> StageKey:
    return (
        ticket_id,
        kind,
        int(payload.get("stage", -1)),
        str(payload.get("colour") or ""),
        str(payload.get("role") or ""),
        str(payload.get("at_level") or ""),
    )


def schedule_stages(
    move: Move,
    deadline: Deadline | None,
    ticket_id: int | None,
    start: datetime,
    due: datetime | None,
    *,
    fired: Collection[StageKey] = (),
    office: str | None = None,
) -> None:
    """One timer per stage effect, at its share of the allowed time or after the due time;
    effects in `fired` (already fired for this deadline) are not scheduled again. `office`:
    the ticket's, whose calendar the stage points are shared out on."""
    duration = allowed(deadline, move.case)
    if deadline is None or due is None or duration is None:
        return
    calendar = office_calendar(move.county, deadline.calendar, office)
    mark_uncovered(move, ticket_id, calendar.uncovered_years(start, due, duration.unit), due)
    rows = []
    for index, stage in enumerate(deadline.stages):
        if stage.fraction is not None:
            at = calendar.point_at(start, due, stage.fraction, duration.unit)
        elif stage.after_due is not None:
            at = calendar.add(due, stage.after_due)
        else:
            continue
        for effect in stage.effects:
            payload = {
                "stage": index,
                "colour": effect.colour,
                "role": effect.role,
                "at_level": effect.at_level,
            }
            if fired and stage_key(ticket_id, effect.kind, payload) in fired:
                continue
            rows.append(
                {
                    "county_id": move.county_id,
                    "case_id": move.case_id,
                    "ticket_id": ticket_id,
                    "kind": effect.kind,
                    "payload": payload,
                    "due_at": max(at, start),
                    "created_at": move.now,
                    "attempts": 0,
                }
            )
    if rows:
        # The rows `timers.schedule` writes, in one executemany instead of one call per stage.
        driver.execute_many(move.conn, sql.INSERT_TIMER, rows)


UNCOVERED = "due_uncovered"


def mark_uncovered(
    move: Move, ticket_id: int | None, years: tuple[int, ...], due: datetime
) -> None:
    """A deadline counted across a year no holiday source covers skipped only weekends there:
    its event (the ticket's, or the case's when ticket_id is None) says so with the due time
    it was computed for, and the case page marks that due time while it stands."""
    if years:
        named = "、".join(f"{y} 年" for y in years)
        move.event(
            UNCOVERED,
            ticket_id=ticket_id,
            note=f"期限跨入{named}，该年的全国节假日安排尚未发布，按周末计算，可能不准",
            deadline=due,
            years=list(years),
        )


# --- tickets --------------------------------------------------------------------------------


def open_ticket(
    move: Move,
    step: Step,
    actor: Actor,
    *,
    kind: str | None = None,
    join_group: str | None = None,
    center: str | None = None,
    office: str | None = None,
) -> int:
    current = {**move.case, **move.changes} if move.changes else move.case
    here, there = place(move.county, current, actor)
    center, office = center or here, office if office is not None else there
    due = due_time(move.county, step.deadline, current, move.now, office)
    ticket_id = int(
        driver.scalar(
            move.conn,
            sql.INSERT_TICKET,
            {
                "county_id": move.county_id,
                "case_id": move.case_id,
                "step": step.key,
                "name": step.ticket or step.key,
                "kind": kind or step.kind,
                "state": "open",
                "center": center,
                "office": office,
                "role": actor.role,
                "join_group": join_group,
                "created_at": move.now,
                "due_at": due,
                "colour": "",
            },
        )
    )
    schedule_stages(move, step.deadline, ticket_id, move.now, due, office=office)
    called = on_call(move.county, office) if kind != "supervision" else None
    if called is not None:  # 随叫随驻: the office is called in when work is there for it
        ticket = step.ticket or step.key
        move.event("called_in", ticket_id=ticket_id, note=called_in_note(called, ticket))
    move.opened.append(ticket_id)
    move.placed[ticket_id] = (center, office, actor.role)
    return ticket_id


def process_of(move: Move) -> Any:
    return move.county.processes[str(move.get("process"))]


def enter(move: Move, step_key: str | None, *, note: str = "") -> None:
    """Open the tickets of `step_key` (None or an end step closes the case)."""
    process = process_of(move)
    if step_key is None:
        close(move, note=note)
        return
    if step_key not in process.steps:
        raise ActionRefused(f"流程「{process.name}」中没有步骤「{step_key}」")
    step = process.step(step_key)
    if step.kind == "end":
        move.set(step=step.key)
        close(move, note=note)
        return
    if step.kind == "verification" and step.revisit is not None and step.revisit.sampled:
        # Sampled revisits are drawn per period after closing (the scheduler's revisit job);
        # the chain goes on without it.
        move.event("revisit_pending", note=f"回访按 {step.revisit.amount()} 抽样，结案后抽取")
        enter(move, _next_of(step), note=note)
        return
    previous = str(move.get("step") or "")
    move.set(step=step.key)
    if any(s.kind == "supervision" for s in process.steps.values()):
        from engine import supervision_link  # it opens its ticket through this module

        supervision_link.follow(move, process, previous, step)  # 督办 links (i20super)
    actor = worker_of(move, step)
    if step.kind == "consultation":
        group = uuid.uuid4().hex
        for participant in step.participants:
            open_ticket(move, step, participant, join_group=group)
    elif actor is not None:
        open_ticket(move, step, actor)
    if actor is not None and actor.where in ("routed_office", "office"):
        move.set(office=place(move.county, {**move.case, **move.changes}, actor)[1])


def worker_of(move: Move, step: Step) -> Actor | None:
    """Who works `step` for this case: its actor; but a step whose actor names an office that
    was transferred (转办) to another office goes back to the office it was transferred to
    (a follow-up after a poor evaluation, a reopening), not to the one the definition names."""
    actor = step.actor
    if actor is None or actor.where != "office":
        return actor
    last = move.conn.execute(
        select(TICKET.c.office)
        .where(
            TICKET.c.case_id == move.case_id,
            TICKET.c.step == step.key,
            TICKET.c.kind != "supervision",
        )
        .order_by(TICKET.c.id.desc())
        .limit(1)
    ).scalar()
    if not last or last == actor.office or last not in move.county.offices:
        return actor
    return replace(actor, office=str(last))


def _next_of(step: Step) -> str | None:
    for action in step.actions:
        if action.effect == "complete":
            return action.target
    return None


def close(move: Move, *, note: str = "") -> None:
    from engine import court, diversion  # they open tickets through this module

    if court.hold(move):  # the court link: the court has the case (诉讼/速裁, 司法确认)
        return
    if diversion.hold(move):  # the legal channel's outcome (回告) is still awaited
        return
    due = move.get("due_at")
    move.set(
        status="closed",
        closed_at=move.now,
        closed_on_time=due is None or move.now <= due,
        resolved_level=move.get("level"),
        resolved_center=move.get("center"),
    )
    if move.get("resolved") is None:
        move.set(resolved=True)
    done = {"state": "cancelled", "completed_at": move.now, "completed_by": move.actor}
    driver.all_rows(
        move.conn,
        sql.CANCEL_ALL,
        {"where_case": move.case_id, **done, "completed_name": move.actor},
    )
    driver.execute(move.conn, sql.DROP_CASE_TIMERS, {"where_case": move.case_id})
    move.event("closed", note=note, status="closed")


def cancel_open(
    move: Move, *, state: str = "cancelled", step: str | None = None, supervision: bool = False
) -> None:
    """Cancel the open tickets of the case (of one step when given), with their timers.
    Supervision tickets stay open while the case moves on, unless `supervision` (closing)."""
    done = {"state": state, "completed_at": move.now, "completed_by": move.actor}
    done["completed_name"] = move.actor
    if step is not None and not supervision:  # the common case: a prebuilt statement
        cancelled = driver.all_rows(
            move.conn, sql.CANCEL_STEP, {"where_case": move.case_id, "where_step": step, **done}
        )
        ids = [int(r["id"]) for r in cancelled]
    else:
        where = [TICKET.c.case_id == move.case_id, TICKET.c.state.in_(OPEN_STATES)]
        if step is not None:
            where.append(TICKET.c.step == step)
        if not supervision:
            where.append(TICKET.c.kind != "supervision")
        found = move.conn.execute(
            update(TICKET).where(*where).values(**done).returning(TICKET.c.id)
        )
        ids = [int(i) for i in found.scalars()]
    for ticket_id in ids:
        driver.execute(move.conn, sql.DROP_ONE_TICKET_TIMERS, {"ticket_id": ticket_id})
