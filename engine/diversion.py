"""Diversion to a legal channel (`引导 劳动仲裁 -> 劳动人事争议仲裁院`) and its 回告.

A `分流` action guides the case to one of the county's diversions, chosen in its form
(`diversion`, or the 分流登记 form's `channel`). By default the receiving channel's outcome
must be registered (回告) before the case closes; `无需回告` diversions close without it.

The outcome is registered by any action on the case whose form carries it (`outcome`, the
分流登记 form's 「办理结果」, or `去向结果`), the 分流 action itself included. When the case
would close while the outcome is still missing, it does not: it waits in the clear state
「待回告」 with a 回告单 for whoever made the diversion (first-asked responsibility), and closes
when that ticket registers the outcome. Its deadline timers are dropped meanwhile (no reminder,
supervision or escalation while the matter is with the legal channel); its due time stays, so
the figures still say whether it was overdue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dsl import routing
from dsl.model import (
    DIVERSION_CHOICE_FIELDS,
    DIVERSION_OUTCOME_FIELDS,
    Action,
    Actor,
    County,
    Diversion,
    FormRef,
    Step,
)
from engine import driver
from engine import statements as sql
from engine.court_forms import FORMS as COURT_FORMS
from engine.errors import ActionRefused
from engine.flow import Move, open_ticket
from engine.outcomes import outcome_columns
from engine.tables import EVENT, TICKET

CHOICE_FIELDS = DIVERSION_CHOICE_FIELDS
OUTCOME_FIELDS = DIVERSION_OUTCOME_FIELDS
REPORT_KIND = "outcome_report"  # the 回告单's ticket kind
REPORT_STEP = "待回告"  # the case's step while it waits
REPORT_FORM = "去向回告"
REPORT_ACTION = Action(
    key="登记回告", name="登记去向结果（回告）", effect="close", target=None, form=REPORT_FORM
)
# The 回告单's form, built in: every county's diversions need it, none has to write it.
BUILTIN_FORMS = {
    REPORT_FORM: FormRef(
        name=REPORT_FORM,
        path="",
        schema={
            "type": "object",
            "title": "去向结果（回告）",
            "required": ["outcome"],
            "properties": {
                "outcome": {
                    "type": "string",
                    "title": "去向结果",
                    "description": "接收机关的办理结果，如：仲裁委已立案受理、已作出裁决",
                    "minLength": 2,
                    "maxLength": 500,
                }
            },
        },
    )
}
# The court link's forms (engine/court_forms.py) are built in the same way.
BUILTIN_FORMS.update(COURT_FORMS)
MARKS = ("diverted", "diversion_reported")


def allowed(county: County, case: dict[str, Any]) -> tuple[str, ...]:
    """The legal channels a case may be guided to: those whose `事项` include its category (or
    a category above it), and those that name no category."""
    category = str(case.get("category") or "")
    return tuple(
        key
        for key, found in county.diversions.items()
        if routing.category_matches(county, found.categories, category)
    )


def chosen(county: County, case: dict[str, Any], data: dict[str, Any]) -> Diversion:
    """The diversion the 分流 names (the act page's choice `diversion`, or the form's
    `channel` / `引导途径`); none named: the first the case's category may go to."""
    fit = allowed(county, case)
    key = next(
        (str(data[f]) for f in CHOICE_FIELDS if isinstance(data.get(f), str) and data[f]), ""
    )
    key = key or next(iter(fit), "")
    if not key:
        raise ActionRefused(f"「{case.get('category')}」没有可以引导的法定途径")
    if key not in county.diversions:
        raise ActionRefused(f"没有分流渠道「{key}」（可选：{'、'.join(fit) or '无'}）")
    if key not in fit:
        only = "、".join(county.diversions[key].categories)
        raise ActionRefused(
            f"「{case.get('category')}」不能引导至「{key}」：该途径只受理{only}"
            f"（可选：{'、'.join(fit) or '无'}）"
        )
    return county.diversions[key]


def reported(data: dict[str, Any]) -> str:
    for name in OUTCOME_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
    return ""


def divert(move: Move, ticket_id: int, action: Action, data: dict[str, Any]) -> None:
    found = chosen(move.county, {**move.case, **move.changes}, data)
    outcome = action.outcome or "分流"
    move.set(diversion=found.key, outcome=outcome, **outcome_columns(move, outcome))
    if move.get("resolved") is None:  # a diversion did not resolve the matter here
        move.set(resolved=False)
    need = "须登记去向结果（回告）" if found.outcome_required else "无需回告"
    note = f"引导至「{found.name}」（{found.target}），{need}"
    move.event("diverted", ticket_id=ticket_id, note=note, diversion=found.key)


def record(move: Move, ticket_id: int, data: dict[str, Any]) -> None:
    """Register the outcome when this action's form carries it and one is awaited."""
    text = reported(data)
    if text and pending(move) is not None:
        move.event("diversion_reported", ticket_id=ticket_id, note=f"回告：{text}")


def pending(move: Move) -> int | None:
    """The ticket that made the diversion still awaiting its outcome, else None."""
    found = move.county.diversions.get(str(move.get("diversion") or ""))
    if found is None or not found.outcome_required:
        return None
    for row in reversed(move.pending):  # this transaction's events, not yet written
        if row["kind"] in MARKS:
            return int(row["ticket_id"] or 0) if row["kind"] == "diverted" else None
    last = move.conn.execute(
        select(EVENT.c.kind, EVENT.c.ticket_id)
        .where(EVENT.c.case_id == move.case_id, EVENT.c.kind.in_(MARKS))
        .order_by(EVENT.c.id.desc())
        .limit(1)
    ).first()
    if last is None or last.kind != "diverted":
        return None
    return int(last.ticket_id or 0)


def hold(move: Move) -> bool:
    """Instead of closing a case whose outcome is awaited, open its 回告单. True when held."""
    by = pending(move)
    if by is None:
        return False
    if move.get("step") == REPORT_STEP and _report_open(move):
        return True
    there = move.conn.execute(
        select(TICKET.c.center, TICKET.c.office, TICKET.c.role).where(TICKET.c.id == by)
    ).first()
    if there is None:  # no diverting ticket known: the window that received the case
        center, office, role = str(move.get("received_center")), None, ""
    else:
        center, office, role = there.center, there.office, there.role
    role = role or next(iter(move.county.roles), "")
    step = Step(
        REPORT_STEP, REPORT_STEP, "task", None, REPORT_FORM, (REPORT_ACTION,), ticket="回告单"
    )
    driver.execute(move.conn, sql.DROP_CASE_TIMERS, {"where_case": move.case_id})
    open_ticket(move, step, Actor(role, "center"), kind=REPORT_KIND, center=center, office=office)
    name = move.county.diversions[str(move.get("diversion"))].name
    move.set(step=REPORT_STEP)
    move.event("awaiting_report", note=f"待「{name}」回告：登记去向结果后办结")
    return True


def _report_open(move: Move) -> bool:
    return (
        move.conn.execute(
            select(TICKET.c.id).where(
                TICKET.c.case_id == move.case_id,
                TICKET.c.kind == REPORT_KIND,
                TICKET.c.state.in_(("open", "claimed")),
            )
        ).first()
        is not None
    )
