"""Receiving a case (一窗受理): validate the intake form, route it, give it its code, open its
first step, set its deadline, all in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from dsl import routing
from dsl.model import County
from engine import codes, correlation, court, driver, flow, formcheck, response
from engine import statements as sql
from engine.clock import CST
from engine.errors import ActionRefused
from engine.flow import Move


def check_choice(
    county: County, *, channel: str, category: str, severity: str, location: str
) -> None:
    # A fact the form left empty (or lacks): say which, never the Python word None.
    for value, what in ((category, "事项类型"), (severity, "等级"), (location, "发生地")):
        if not isinstance(value, str) or not value.strip():
            raise ActionRefused(f"请填写{what}：没有{what}的案件无法分派")
    if channel not in county.channels:
        raise ActionRefused(f"没有受理渠道「{channel}」，可选：{'、'.join(county.channels)}")
    if category not in county.categories:
        raise ActionRefused(f"没有事项类型「{category}」")
    if severity not in county.severities:
        raise ActionRefused(f"没有严重程度「{severity}」，可选：{'、'.join(county.severities)}")
    if location not in county.centers:
        raise ActionRefused(f"没有地点（中心）「{location}」")


def check_parties(parties: list[dict[str, Any]]) -> None:
    for index, party in enumerate(parties, start=1):
        if not isinstance(party, dict) or not str(party.get("name") or "").strip():
            raise ActionRefused(f"第 {index} 个当事人缺少姓名")


def receive(
    conn: Connection,
    county: County,
    *,
    county_id: int,
    version_id: int,
    now: datetime,
    actor: str,
    channel: str,
    window: str | None,
    category: str,
    severity: str,
    location: str,
    parties: list[dict[str, Any]],
    data: dict[str, Any],
    visits: int,
    center: str | None,
) -> Move:
    """Insert the case and open its first step; returns the case id."""
    check_choice(county, channel=channel, category=category, severity=severity, location=location)
    check_parties(parties)
    if visits < 0:
        raise ActionRefused("来访次数不能为负数")
    facts = {"channel": channel, "category": category, "severity": severity, "parties": parties}
    data = formcheck.with_facts(county, county.intake_form, data, facts)
    formcheck.validate(county, county.intake_form, data)
    decision = routing.route(county, category, severity, location)
    if decision is None:
        raise ActionRefused(
            f"事项「{category}」（{severity}）在「{location}」没有匹配的分流规则，也没有兜底窗口"
        )
    handling = routing.center_at_level(county, location, decision.level)
    receiving = center or location
    if receiving not in county.centers:
        raise ActionRefused(f"没有受理中心「{receiving}」")
    code = codes.next_code(conn, county, county_id, now.astimezone(CST).year)
    values = {
        "county_id": county_id,
        "version_id": version_id,
        "code": code,
        "title": str(data.get("title") or data.get("事由") or category)[:200],
        "channel": channel,
        "window": window,
        "received_at": now,
        "received_by": actor,
        "received_center": receiving,
        "visits": visits,
        "category": category,
        "severity": severity,
        "location": location,
        "process": decision.process,
        "level": decision.level,
        "center": handling.key if handling else receiving,
        "office": decision.office,
        "status": "open",
        "colour": "",
        "supervised": False,
        "mediated": False,
        "escalations": 0,
        "reopenings": 0,
        "data": data,
        "updated_at": now,
    }
    process = county.processes[decision.process]
    # a court referral (委派) runs on its declared deadline, not its process's (engine/court.py)
    case_deadline = court.referral_deadline(county, channel) or process.case_deadline
    due = flow.due_time(county, case_deadline, values, now)
    values["due_at"] = due
    values["response_due_at"] = response.due_at(county, decision, now)
    case_id = int(driver.scalar(conn, sql.INSERT_CASE, values))
    driver.execute_many(conn, sql.INSERT_PARTY, [_party(case_id, p) for p in parties])
    case = {**values, "id": case_id}
    move = Move(conn=conn, county=county, case=case, now=now, actor=actor, batch_events=True)
    why = "分流：" + routing.describe(county, decision.route)  # the rule in words, not its line
    move.event(
        "received",
        note=why,
        code=code,
        level=values["level"],
        center=values["center"],
        office=decision.office,
    )
    flow.schedule_stages(move, case_deadline, None, now, due)
    response.arm(move, decision.route)
    flow.enter(move, process.start)
    flow.save(move)
    # prevention (排查预警): correlated warnings, in this same transaction (engine/correlation.py)
    if county.warning_rules:
        correlation.correlate(
            conn,
            county,
            county_id,
            case,
            [_party(case_id, p) for p in parties],
            actor=actor,
            now=now,
        )
    return move


def _party(case_id: int, party: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "name": str(party["name"]).strip()[:100],
        "id_number": (str(party.get("id_number") or "").strip() or None),
        "phone": (str(party.get("phone") or "").strip() or None),
        "role": str(party.get("role") or "申请人")[:40],
    }
