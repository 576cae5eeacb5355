"""The response timer (`响应 30 分钟 到场`): armed when a routed case is received, answered by
the first claim (签收) or action of the routed office, watched by stages in between.

The stages (dsl.response_rules): a reminder to the responder at 80% of the limit, and at the
limit a 督办单 for the supervisor the process declares. They are ordinary timers of kinds
`response_remind` / `response_supervise`, fired by the same handlers as a deadline's reminder
and supervision (engine.firing), which do nothing once the case has been responded to. The
response cancels them and records when, by whom and how long it took (`case.responded_at`,
`responded_by`, a `responded` event). Suspending the case does not stop this clock (the first
response is owed from the report on); stages that came due meanwhile fire on resuming.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete

from dsl import response_rules, routing
from dsl.model import County, Duration, Route, RouteDecision
from engine import timers
from engine.flow import Move, StageKey, stage_key
from engine.stationing import office_calendar

REMIND = "response_remind"
SUPERVISE = "response_supervise"
KINDS = (REMIND, SUPERVISE)
UNIT_TEXT = {"minute": "分钟", "hour": "小时", "day": "天", "workday": "工作日", "month": "个月"}


def limit_text(duration: Duration, mode: str = "") -> str:
    """「30 分钟到场」: the limit as the definition wrote it."""
    if duration.unit == "end_of_workday":
        text = "当日下班前"
    else:
        text = f"{duration.amount} {UNIT_TEXT.get(duration.unit, duration.unit)}"
    return text + mode


def due_at(county: County, decision: RouteDecision, received: datetime) -> datetime | None:
    """When the response is owed, for a case received now under `decision` (None: no 响应)."""
    if decision.route is None or decision.response is None:
        return None
    if response_rules.policy(county, decision.route) is None:
        return None  # `yidi check` refuses such a definition; never published
    return office_calendar(county, "", decision.office).add(received, decision.response)


def arm(move: Move, route: Route | None, *, fired: Collection[StageKey] = ()) -> None:
    """Schedule the response stages of the case (those not in `fired`), never in the past."""
    due = move.get("response_due_at")
    if due is None or route is None or move.get("responded_at") is not None:
        return
    policy = response_rules.policy(move.county, route)
    if policy is None or route.response is None:
        return
    received: datetime = move.get("received_at")
    limit = limit_text(route.response, route.response_mode)
    calendar = office_calendar(move.county, "", route.office)
    remind_at = calendar.point_at(received, due, response_rules.REMIND_AT, route.response.unit)
    boss = policy.supervisor
    plans: list[tuple[str, datetime, dict[str, Any]]] = [
        (REMIND, remind_at, {"stage": 0, "role": policy.role, "note": f"响应时限（{limit}）将到"}),
        (
            SUPERVISE,
            due,
            {
                "stage": 1,
                "role": boss.role,
                "at_level": boss.at_level,
                "note": f"响应超时（{limit}），承办单位尚无人签收",
            },
        ),
    ]
    for kind, at, payload in plans:
        if stage_key(None, kind, payload) in fired:
            continue
        timers.schedule(
            move.conn,
            county_id=move.county_id,
            case_id=move.case_id,
            ticket_id=None,
            kind=kind,
            due_at=max(at, move.now),
            payload=payload,
        )


def route_of(move: Move) -> Route | None:
    """The route that decided the case: the first to match its facts, as at intake."""
    decision = routing.route(
        move.county, str(move.get("category")), str(move.get("severity")), str(move.get("location"))
    )
    return decision.route if decision is not None else None


def answers(case: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """Whether work on `ticket` is the case's first response: a response is owed and not yet
    given, and the ticket is the routed office's (not the window's, nor a 督办单)."""
    return (
        case.get("response_due_at") is not None
        and case.get("responded_at") is None
        and ticket["kind"] != "supervision"
        and ticket["office"] is not None
        and ticket["office"] == case.get("office")
    )


def record(move: Move, ticket: dict[str, Any], how: str) -> None:
    """The first response: store it, say how long it took, drop the stages still to come."""
    if not answers(move.case, ticket):
        return
    received: datetime = move.get("received_at")
    due: datetime = move.get("response_due_at")
    minutes = max(0, int((move.now - received).total_seconds() // 60))
    late = "，已超过响应时限" if move.now > due else ""
    move.set(responded_at=move.now, responded_by=move.actor)
    move.event(
        "responded",
        ticket_id=int(ticket["id"]),
        note=f"{move.actor}{how}，用时 {minutes} 分钟{late}",
        responded_at=move.now,
        response_minutes=minutes,
    )
    cancel(move.conn, move.case_id)


def cancel(conn: Connection, case_id: int) -> int:
    """Drop the case's pending response stages (fired ones stay as the record)."""
    timer = timers.timer
    result = conn.execute(
        delete(timer).where(
            timer.c.case_id == case_id, timer.c.kind.in_(KINDS), timer.c.fired_at.is_(None)
        )
    )
    return int(result.rowcount)
