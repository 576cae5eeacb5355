"""The court link (诉调对接): the center follows what it hands to the court to the end.

A county declares `法院对接 法院 { … }` (dsl/court.py). Then:

- A case diverted (分流) to a declared hand-off (移送 诉讼, 速裁) does not close: it waits at
  「等待法院」 with a 法院跟踪单 for the court office's liaison (联络员), who records the filing
  (案号, 立案日期), the hearing date and the result. 结案 closes the case (the result is also
  the diversion's 回告); 退回调解 reopens it at the declared step (退回调解 -> 调解).
- A case closing with a mediated agreement whose form asked for it (司法确认 FIELD ticked)
  waits at 「待司法确认」 until the liaison records 确认有效 (closes) or 不予确认 (reopens at
  the declared step).
- Cases received on a referral channel (委派 CHANNEL 时限 …) take that deadline instead of
  their process's (engine/intake.py).

While the court has the case its deadline timers are dropped (no reminder, supervision or
escalation for time the center does not control); its due time stays for the figures.
Each step is an audit event and a row of `court_matter` (engine/court_records.py), which the
figures count (engine/reports/court.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, select, update

from dsl.model import Action, Actor, County, CourtLink, Deadline, Step
from engine import court_forms as cf
from engine import driver
from engine import statements as sql
from engine.clock import CST
from engine.court_records import (
    CLOSED,
    CONFIRMATION,
    CONFIRMED,
    COURT_MATTER,
    HAND_OFF,
    REFUSED,
    SENT_BACK,
)
from engine.errors import ActionRefused
from engine.flow import OPEN_STATES, Move, cancel_open, close, enter, open_ticket
from engine.tables import TICKET

DECIDED = "court_decided"  # the event that lets a decided case close (see hold)
# Prebuilt (engine/statements.py): `hold` runs at every closing case of a county with a link.
MATTERS = (
    select(COURT_MATTER.c.kind, COURT_MATTER.c.decision)
    .where(COURT_MATTER.c.case_id == bindparam("case_id"))
    .order_by(COURT_MATTER.c.id)
)
DONE_DATA = select(TICKET.c.data).where(
    TICKET.c.case_id == bindparam("case_id"), TICKET.c.state == "completed"
)


def referral_deadline(county: County, channel: str) -> Deadline | None:
    """A court referral's own deadline (委派 CHANNEL 时限 …), else None."""
    link = county.court
    return link.referrals.get(channel) if link is not None else None


def actions(ticket: dict[str, Any]) -> tuple[Action, ...]:
    """The liaison's actions on a 法院跟踪单."""
    if ticket["step"] == cf.CONFIRM_STEP:
        return cf.CONFIRMATION_ACTIONS
    return cf.HAND_OFF_ACTIONS


# --- holding a closing case for the court ---------------------------------------------------


def hold(move: Move) -> bool:
    """Instead of closing, hand the case to the court or ask for confirmation. True = held.
    Cheap for the common case (no query unless the case was diverted to the court or its
    mediated agreement may have asked for confirmation): it runs at every closing case."""
    link = move.county.court
    if link is None or any(row["kind"] == DECIDED for row in move.pending):
        return False
    if move.get("step") in (cf.WAIT_STEP, cf.CONFIRM_STEP):
        return True  # still with the court: nothing closes it but the court's result
    route = str(move.get("diversion") or "")
    if route in link.hand_offs:
        matters = _matters(move)
        if not matters or tuple(matters[-1]) != (HAND_OFF, CLOSED):
            _open(move, link, HAND_OFF, route)
            return True
    if _confirmation_asked(move, link):
        _open(move, link, CONFIRMATION, "")
        return True
    return False


def _matters(move: Move) -> list[Any]:
    """(kind, decision) of each of the case's court matters, oldest first."""
    return driver.tuples(move.conn, MATTERS, {"case_id": move.case_id})


def _last_matter(move: Move) -> Any:
    return move.conn.execute(
        select(COURT_MATTER)
        .where(COURT_MATTER.c.case_id == move.case_id)
        .order_by(COURT_MATTER.c.id.desc())
        .limit(1)
    ).first()


def _confirmation_asked(move: Move, link: CourtLink) -> bool:
    """A mediated agreement whose form ticked the confirmation field more often than the
    case has been sent for confirmation (a refused one, mediated again, may be sent again)."""
    outcome = str(move.get("outcome") or "")
    if not link.confirmation_field or move.county.outcomes.get(outcome) != "mediated":
        return False
    rows = driver.tuples(move.conn, DONE_DATA, {"case_id": move.case_id})
    field = link.confirmation_field
    asked = sum(1 for (data,) in rows if isinstance(data, dict) and data.get(field) is True)
    if not asked:
        return False
    sent = sum(1 for kind, _ in _matters(move) if kind == CONFIRMATION)
    return asked > sent


def _open(move: Move, link: CourtLink, kind: str, route: str) -> None:
    failed = bool(move.get("mediated")) and move.get("mediation_success") is not True
    move.conn.execute(
        COURT_MATTER.insert().values(
            county_id=move.county_id,
            case_id=move.case_id,
            kind=kind,
            route=route,
            after_failed_mediation=kind == HAND_OFF and failed,
            requested_at=move.now,
        )
    )
    step_key = cf.WAIT_STEP if kind == HAND_OFF else cf.CONFIRM_STEP
    driver.execute(move.conn, sql.DROP_CASE_TIMERS, {"where_case": move.case_id})
    _ticket(move, link, step_key)
    move.set(step=step_key)
    court = move.county.offices[link.court].name
    if kind == HAND_OFF:
        name = move.county.diversions[route].name
        why = "（调解不成）" if failed else ""
        move.event("court_hand_off", note=f"移送{court}「{name}」{why}：全程跟踪至法院结案")
    else:
        move.event("confirmation_requested", note=f"调解协议申请司法确认（{court}）")


def _ticket(move: Move, link: CourtLink, step_key: str) -> None:
    step = Step(step_key, step_key, "task", None, None, (), ticket=cf.TICKET_NAME)
    actor = Actor(link.liaison, "office", office=link.court)
    open_ticket(move, step, actor, kind=cf.TICKET_KIND)


# --- the liaison's records ------------------------------------------------------------------


def apply(move: Move, ticket: dict[str, Any], action: Action, data: dict[str, Any]) -> None:
    """One of the liaison's actions on a 法院跟踪单 (from the web or the API)."""
    link = move.county.court
    matter = _last_matter(move)
    if link is None or matter is None or matter.decision is not None:
        raise ActionRefused("该案件没有等待法院处理的事项")
    tid = int(ticket["id"])
    if action.key == cf.FILE.key:
        filed = _day(data.get("filed_on"), "立案日期")
        number = str(data.get("court_case_number") or "").strip()[:100]
        _update(move, matter.id, filed_at=filed, court_case_number=number)
        move.event("court_filed", ticket_id=tid, note=f"法院已立案：{number}（{_show(filed)}）")
        _ticket(move, link, str(ticket["step"]))
    elif action.key == cf.HEARING.key:
        hearing = _day(data.get("hearing_on"), "开庭日期")
        _update(move, matter.id, hearing_at=hearing)
        move.event("court_hearing", ticket_id=tid, note=f"开庭日期：{_show(hearing)}")
        _ticket(move, link, str(ticket["step"]))
    elif action.key == cf.RESULT.key:
        back = data.get("disposition") == cf.SEND_BACK_WORD
        _decide(move, link, matter.id, tid, SENT_BACK if back else CLOSED, data)
    elif action.key == cf.CONFIRM.key:
        refused = data.get("decision") == cf.REFUSED_WORD
        _decide(move, link, matter.id, tid, REFUSED if refused else CONFIRMED, data)
    else:  # the actions offered are the ones above (engine/actions.py asks court.actions)
        raise ActionRefused(f"法院跟踪单没有「{action.name}」操作")


WORDS = {
    CLOSED: "法院结案",
    SENT_BACK: "法院退回调解",
    CONFIRMED: "司法确认有效",
    REFUSED: "不予司法确认",
}


def _decide(
    move: Move, link: CourtLink, matter: int, tid: int, decision: str, data: dict[str, Any]
) -> None:
    result = str(data.get("result") or "").strip()[:500]
    _update(
        move,
        matter,
        decision=decision,
        result=result,
        decided_at=move.now,
        decided_by=move.actor,
    )
    note = f"{WORDS[decision]}{'：' + result if result else ''}"
    move.event(DECIDED, ticket_id=tid, note=note, decision=decision)
    cancel_open(move)
    if decision in (CLOSED, CONFIRMED):
        if decision == CLOSED:  # the court's result is the diversion's 回告 too
            move.event("diversion_reported", ticket_id=tid, note=f"回告：{result}")
        close(move, note=note)
        return
    # Back to mediation: the earlier outcome no longer stands, and the case is no longer with
    # a legal channel (a later close does not wait for the court again unless sent again).
    move.set(diversion=None, outcome=None, resolved=None, mediation_success=None)
    enter(move, link.back_to, note=note)


def _update(move: Move, matter: int, **values: Any) -> None:
    move.conn.execute(update(COURT_MATTER).where(COURT_MATTER.c.id == matter).values(**values))


def _day(value: Any, what: str) -> datetime:
    """A date the liaison entered, as the start of that day in China Standard Time."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError as exc:
        raise ActionRefused(f"{what}应为日期，如 2026-11-20") from exc
    if not 1949 <= day.year <= 2100:  # a typo, and year 1 would overflow in UTC
        raise ActionRefused(f"{what}「{day.isoformat()}」不在合理范围内，请核对年份")
    return datetime.combine(day, time(0, 0), tzinfo=CST)


def _show(at: datetime) -> str:
    return f"{at.astimezone(CST):%Y-%m-%d}"


def open_ticket_of(conn: Any, case_id: int) -> int | None:
    """The case's open 法院跟踪单 (what the API records on), else None."""
    found = conn.execute(
        select(TICKET.c.id)
        .where(
            TICKET.c.case_id == case_id,
            TICKET.c.kind == cf.TICKET_KIND,
            TICKET.c.state.in_(OPEN_STATES),
        )
        .order_by(TICKET.c.id.desc())
        .limit(1)
    ).scalar()
    return int(found) if found is not None else None
