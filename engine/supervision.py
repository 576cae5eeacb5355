"""Supervision as a duty (督办): a supervisor issues a 督办单 by hand on a case in their scope,
with a reason, a reply deadline and the office it targets; the office replies; a late reply
escalates through the worker's timers, like any other deadline.

Who may issue, who replies and how fast come from the county's `督办 { … }` block
(dsl/supervision.py). A supervisor is a membership whose role and center level the block
names; their scope is the cases of that center and every center below it (engine.scope.below).
The 督办单 is an ordinary ticket of kind "supervision" addressed to the office (its center is
the case's, its role the block's 回复人), so the office finds it in its inbox (the 督办 tab)
and answers it with 回复督办 and a reply text (engine.actions); it stays open while the case
moves on, and closes with the case. Its record (`supervision_notice`) keeps what the figures
count per office: issued, replied on time, replied late, still open (engine/reports/supervision.py).

The reply deadline's stages run as timers of their own kinds (`督办单` timers never touch
the case's grade or center): a reminder to the office, the 督办单's grade, and at the deadline
a 督办单 for the supervisor one level up that the block names (`超时 督办 负责人 @ 市`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, ForeignKey, Index, String, Table, Text, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from dsl import routing
from dsl.model import County, Duration, SupervisionDuty
from engine import driver, firing, flow, loading, queries, timers
from engine import statements as sql
from engine.db import Base, UTCDateTime
from engine.errors import ActionRefused, NotFound
from engine.flow import Move
from engine.scope import Membership, Principal, below
from engine.stationing import office_calendar
from engine.tables import TICKET
from engine.timers import TimerRow

MAX_REASON = 500
MAX_DAYS = 60  # a reply deadline a supervisor may set, in working days
KIND = "supervision"
REMIND, COLOUR, ESCALATE = "supervision_remind", "supervision_colour", "supervision_escalate"
TIMER_KINDS = {"remind": REMIND, "colour": COLOUR, "supervise": ESCALATE}


class SupervisionNotice(Base):
    """One 督办单 issued by hand (or by a chain's link holder) to an office: what it asked,
    by when, and how it was answered. Its ticket is the office's work item."""

    __tablename__ = "supervision_notice"
    __table_args__ = (
        Index("ix_supervision_notice_case", "case_id"),
        Index("ix_supervision_notice_county", "county_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(100))  # username
    issued_name: Mapped[str] = mapped_column(String(100))
    issuer_center: Mapped[str] = mapped_column(String(100))
    issuer_role: Mapped[str] = mapped_column(String(100))
    center: Mapped[str] = mapped_column(String(100))  # the targeted office's center
    office: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by: Mapped[str | None] = mapped_column(String(100))
    reply: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool | None] = mapped_column()  # None while unanswered
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


NOTICE = cast(Table, SupervisionNotice.__table__)


# --- who may issue, to whom -------------------------------------------------------------------


def duty_of(county: County) -> SupervisionDuty:
    if county.supervision is None:
        raise ActionRefused("本县区的定义没有声明督办（督办 { 督办人 … }），不能开具督办单")
    return county.supervision


def supervisor_of(principal: Principal, county: County, case_center: str) -> Membership | None:
    """The principal's membership that may supervise a case at `case_center`: a declared
    supervisor role at a center of the declared level, that center or one above the case's."""
    duty = county.supervision
    if duty is None:
        return None
    for m in principal.memberships:
        center = county.centers.get(m.center)
        if center is None:
            continue
        declared = any(s.role == m.role and s.level == center.level for s in duty.supervisors)
        if declared and case_center in below(county, m.center):
            return m
    return None


def supervisors_text(duty: SupervisionDuty) -> str:
    return "、".join(f"{s.role} @ {s.level}" for s in duty.supervisors)


def targets(county: County, case: dict[str, Any]) -> list[str]:
    """Offices a 督办单 on this case may target: stationed at the case's center, with the role
    that replies (the case's own office first)."""
    duty = county.supervision
    if duty is None:
        return []
    center = str(case["center"])
    found = [
        key
        for key, office in county.offices.items()
        if duty.replier in office.roles and routing.office_stationed_at(county, key, center)
    ]
    own = case.get("office")
    return sorted(found, key=lambda key: key != own)


def default_reply(duty: SupervisionDuty, case: dict[str, Any]) -> Duration | None:
    """The block's reply time for this case (its severity and level rules, else 默认)."""
    return flow.allowed(duty.reply, case)


def reply_time(county: County, case: dict[str, Any], days: int | None) -> Duration:
    """The supervisor's working days, else the block's default for this case."""
    amount = Duration(days, "workday") if days else flow.allowed(duty_of(county).reply, case)
    if amount is None:
        raise ActionRefused("督办的回复时限没有默认时长，请填写回复期限")
    return amount


# --- issuing ------------------------------------------------------------------------------------


def issue(
    conn: Connection,
    principal: Principal,
    code: str,
    *,
    office: str,
    reason: str,
    days: int | None,
    now: datetime,
) -> Move:
    """Issue a 督办单 on case `code` to `office`: the ticket, its record, its reply timers and
    a "supervision_issued" event, in the caller's transaction; refused (nothing written) when
    the case is outside the principal's scope or any input is wrong."""
    if queries.visible_case(conn, principal, code) is None:
        raise NotFound(f"没有编号为 {code} 的案件，或该案件不在您的工作范围内")
    case, county = loading.case_by_code(conn, code)
    duty = duty_of(county)
    reason = reason.strip()
    if not reason:
        raise ActionRefused("请填写督办事由")
    if len(reason) > MAX_REASON:
        raise ActionRefused(f"督办事由不能超过 {MAX_REASON} 字（现有 {len(reason)} 字）")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ActionRefused(f"回复期限应为 1 到 {MAX_DAYS} 个工作日")
    if case["status"] == "closed":
        raise ActionRefused("案件已办结，不能再督办")
    boss = supervisor_of(principal, county, str(case["center"]))
    if boss is None:
        raise ActionRefused(
            f"您不是本案的督办人：督办单由{supervisors_text(duty)}对辖区内的案件开具"
        )
    allowed = targets(county, case)
    if office not in allowed:
        here = county.centers[str(case["center"])].name
        offered = "、".join(allowed) or "无"
        raise ActionRefused(
            f"单位「{office}」不在{here}，或没有「{duty.replier}」回复督办单（可选：{offered}）"
        )
    amount = reply_time(county, case, days)
    due = office_calendar(county, duty.reply.calendar, office).add(now, amount)
    move = Move(conn=conn, county=county, case=case, now=now, actor=principal.display_name)
    center = str(case["center"])
    ticket_id = int(
        driver.scalar(
            conn,
            sql.INSERT_TICKET,
            {
                "county_id": move.county_id,
                "case_id": move.case_id,
                "step": str(case.get("step") or ""),
                "name": "督办单",
                "kind": KIND,
                "state": "open",
                "center": center,
                "office": office,
                "role": duty.replier,
                "join_group": None,
                "created_at": now,
                "due_at": due,
                "colour": "",
            },
        )
    )
    conn.execute(
        insert(NOTICE).values(
            county_id=move.county_id,
            case_id=move.case_id,
            ticket_id=ticket_id,
            issued_at=now,
            issued_by=principal.username,
            issued_name=principal.display_name,
            issuer_center=boss.center,
            issuer_role=boss.role,
            center=center,
            office=office,
            reason=reason,
            due_at=due,
        )
    )
    _schedule(move, duty, ticket_id, office, due, amount.unit)
    move.set(supervised=True)
    move.event(
        "supervision_issued",
        ticket_id=ticket_id,
        note=f"{boss.role}（{county.centers[boss.center].name}）督办{office}：{reason}",
        office=office,
        reply_due_at=due,
        supervised=True,
    )
    flow.save(move)
    return move


def _schedule(
    move: Move, duty: SupervisionDuty, ticket_id: int, office: str, due: datetime, unit: str
) -> None:
    """One timer per stage effect of the reply deadline, at its share of the reply time or
    after the due time, never in the past."""
    calendar = office_calendar(move.county, duty.reply.calendar, office)
    for index, stage in enumerate(duty.reply.stages):
        if stage.fraction is not None:
            at = calendar.point_at(move.now, due, stage.fraction, unit)
        elif stage.after_due is not None:
            at = calendar.add(due, stage.after_due)
        else:
            continue
        for effect in stage.effects:
            timers.schedule(
                move.conn,
                county_id=move.county_id,
                case_id=move.case_id,
                ticket_id=ticket_id,
                kind=TIMER_KINDS[effect.kind],
                due_at=max(at, move.now),
                payload={
                    "stage": index,
                    "colour": effect.colour,
                    "role": effect.role,
                    "at_level": effect.at_level,
                },
            )


# --- replying -----------------------------------------------------------------------------------


def replied(move: Move, ticket: dict[str, Any], reply: str) -> None:
    """The office answered its 督办单 (回复督办): the record says when, by whom, on time or
    late; the reply timers still to come are dropped. A 督办单 of the supervisor (office None)
    has no record: only the event."""
    tid = int(ticket["id"])
    row = move.conn.execute(select(NOTICE).where(NOTICE.c.ticket_id == tid)).mappings().first()
    if row is None:
        return
    late = move.now > row["due_at"]
    move.conn.execute(
        update(NOTICE)
        .where(NOTICE.c.id == row["id"])
        .values(replied_at=move.now, replied_by=move.actor, reply=reply.strip(), late=late)
    )
    driver.execute(move.conn, sql.DROP_ONE_TICKET_TIMERS, {"ticket_id": tid})
    when = "逾期回复" if late else "按期回复"
    move.event(
        "supervision_replied",
        ticket_id=tid,
        note=f"{row['office']}{when}：{reply.strip()}",
        late=late,
    )


def is_addressed(ticket: dict[str, Any]) -> bool:
    """A 督办单 addressed to an office (issued by hand): answered with a reply text."""
    return ticket["kind"] == KIND and ticket["office"] is not None


# --- the reply deadline's timers --------------------------------------------------------------


def _open(conn: Connection, row: TimerRow, now: datetime) -> tuple[Move, dict[str, Any]] | None:
    move = firing._move(conn, row, now)  # the case locked; None once closed or answered
    if move is None or row.ticket_id is None:
        return None
    notice = (
        conn.execute(select(NOTICE).where(NOTICE.c.ticket_id == row.ticket_id)).mappings().first()
    )
    if notice is None or notice["replied_at"] is not None:
        return None
    return move, dict(notice)


def remind(conn: Connection, row: TimerRow, now: datetime) -> None:
    found = _open(conn, row, now)
    if found is None:
        return
    move, notice = found
    role = str(
        row.payload.get("role")
        or (move.county.supervision.replier if move.county.supervision else "")
    )
    move.event(
        "supervision_reminded",
        ticket_id=row.ticket_id,
        note=f"提醒{notice['office']}{role}：督办单回复期限将到",
    )


def colour(conn: Connection, row: TimerRow, now: datetime) -> None:
    found = _open(conn, row, now)
    if found is None:
        return
    move, _notice = found
    grade = str(row.payload.get("colour") or "")
    conn.execute(update(TICKET).where(TICKET.c.id == row.ticket_id).values(colour=grade))
    move.event("colour", ticket_id=row.ticket_id, note="督办单逾期未回复", colour=grade)


def escalate(conn: Connection, row: TimerRow, now: datetime) -> None:
    """The reply is late: a 督办单 for the supervisor the block names one level up, saying
    which office has not answered. The office's own 督办单 stays open for its reply."""
    found = _open(conn, row, now)
    if found is None:
        return
    move, notice = found
    level = str(row.payload.get("at_level") or "")
    role = str(row.payload.get("role") or "")
    at = routing.center_at_level(move.county, str(move.get("center")), level)
    center = (
        at.key
        if at is not None
        else routing.ancestors(move.county, str(move.get("center")))[-1].key
    )
    ticket_id = int(
        driver.scalar(
            conn,
            sql.INSERT_TICKET,
            {
                "county_id": move.county_id,
                "case_id": move.case_id,
                "step": str(move.get("step") or ""),
                "name": "督办单",
                "kind": KIND,
                "state": "open",
                "center": center,
                "office": None,
                "role": role,
                "join_group": None,
                "created_at": now,
                "due_at": None,
                "colour": "",
            },
        )
    )
    conn.execute(update(NOTICE).where(NOTICE.c.id == notice["id"]).values(escalated_at=now))
    move.set(supervised=True)
    move.event(
        "supervision_escalated",
        ticket_id=ticket_id,
        note=f"{notice['office']}逾期未回复督办单，已报{move.county.centers[center].name}{role}督办",
        office=notice["office"],
        supervised=True,
    )
    flow.save(move)


for _kind, _fn in ((REMIND, remind), (COLOUR, colour), (ESCALATE, escalate)):
    timers.register_handler(_kind, _fn)


def notices(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """The case's 督办单 records, oldest first (the case page lists them)."""
    rows = conn.execute(
        select(NOTICE, TICKET.c.state)
        .join(TICKET, TICKET.c.id == NOTICE.c.ticket_id)
        .where(NOTICE.c.case_id == case_id)
        .order_by(NOTICE.c.id)
    ).mappings()
    return [dict(r) for r in rows]
