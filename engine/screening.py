"""Screening rounds (排查): the worker opens one task per unit per round; the screener records
the checklist; a dispute found becomes a case (channel 排查) linked to its task.

The rounds are a job kind of the scheduler (engine/scheduler.py): each round runs once per
county, screening and period, and the task table's UNIQUE (county, screening, period, center)
keeps a unit's task single even if a round's run were repeated. A task not done by the end of
its round is overdue (`due_at` passed, state open) and counts as missed in `coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dsl import routing
from dsl.model import County
from dsl.prevention import SCREENING_CHANNEL
from dsl.prevention_model import CADENCE_NAMES, Screening
from engine import audit, flow, formcheck, intake, scheduler
from engine.calendar import calendar_for
from engine.clock import CST
from engine.errors import ActionRefused, NotFound
from engine.flow import Move
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.scope import Principal, may_work

NAME = "排查"
# The checklist's answer to "was a dispute found?", and the dispute's intake data in it.
FOUND_FIELDS = ("发现纠纷", "found")
DISPUTE_FIELDS = ("纠纷", "dispute")


def units(county: County, screening: Screening) -> list[str]:
    """The centers screened: every center of the level where the screening office sits."""
    office = county.offices[screening.office]
    return [
        c.key
        for c in county.centers.values()
        if c.level == screening.level and (c.level in office.levels or c.key in office.centers)
    ]


# --- the worker's round ----------------------------------------------------------------------


def jobs(county: County) -> list[scheduler.Job]:
    return [
        scheduler.Job(
            key=f"{NAME}:{item.key}",
            title=f"{NAME}：{item.name}（{CADENCE_NAMES[item.cadence]}，{item.role}@{item.level}）",
            period=item.cadence,
            after=False,  # a round opens when its period begins
            args=(item.key,),
        )
        for item in county.screenings.values()
    ]


def run(job: scheduler.Run) -> str:
    """Open this round's tasks, one per unit; a daily round rests on the calendar's days off."""
    screening = job.county.screenings[job.job.args[0]]
    period = job.period
    workday = calendar_for(job.county, screening.calendar).is_workday
    if screening.cadence == "day" and not workday(period.first):
        return f"{period.label}为休息日，不开排查任务"
    rows = [
        {
            "county_id": job.county_id,
            "screening": screening.key,
            "period": period.key,
            "period_label": period.label,
            "center": center,
            "office": screening.office,
            "role": screening.role,
            "state": "open",
            "opened_at": job.now,
            "due_at": period.end,
            "found": False,
        }
        for center in units(job.county, screening)
    ]
    if not rows:
        return f"{period.label}没有需要排查的单位"
    dialect = postgresql if job.conn.dialect.name == "postgresql" else sqlite
    opened = job.conn.execute(
        dialect.insert(TASK).values(rows).on_conflict_do_nothing().returning(TASK.c.id)
    ).all()
    return f"{period.label}开出 {len(opened)} 个排查任务"


scheduler.register(scheduler.JobKind(NAME, jobs, run))


# --- the screener's work -----------------------------------------------------------------------


def task_clause(principal: Principal) -> Any:
    """Tasks this principal may work, as a WHERE clause (their center, role and office)."""
    if principal.is_admin and not principal.memberships:
        return TASK.c.id.is_not(None)
    parts = [
        and_(
            TASK.c.center == m.center,
            TASK.c.role == m.role,
            TASK.c.office == m.office if m.office else TASK.c.id.is_not(None),
        )
        for m in principal.memberships
    ]
    return or_(*parts) if parts else false()


def _task(conn: Connection, county_id: int, task_id: int, *, lock: bool) -> dict[str, Any]:
    query = select(TASK).where(TASK.c.id == task_id, TASK.c.county_id == county_id)
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound("没有这个排查任务")
    return dict(row)


def _mine(principal: Principal, task: dict[str, Any]) -> None:
    if not may_work(principal, task["center"], task["office"], task["role"]):
        raise ActionRefused("这个排查任务不是派给您的")


def record(
    conn: Connection,
    county: County,
    county_id: int,
    task_id: int,
    principal: Principal,
    result: Any,
    now: datetime,
) -> dict[str, Any]:
    """Record the checklist of an open task (late is allowed: it then counts as late)."""
    task = _task(conn, county_id, task_id, lock=True)
    _mine(principal, task)
    if task["state"] != "open":
        raise ActionRefused("这个排查任务已经填报过了")
    screening = county.screenings.get(task["screening"])
    if screening is None:
        raise ActionRefused(f"当前定义中已没有排查「{task['screening']}」")
    formcheck.validate(county, screening.form, result)
    found = any(result.get(name) is True for name in FOUND_FIELDS)
    done = {"state": "done", "done_at": now, "done_by": principal.username[:100]}
    conn.execute(
        update(TASK).where(TASK.c.id == task_id).values(**done, result=result, found=found)
    )
    late = "（超期补报）" if now > task["due_at"] else ""
    note = f"{screening.name} · {task['period_label']} · {task['center']}：已排查{late}"
    note += "，发现纠纷" if found else "，未发现纠纷"
    audit.insert(
        conn,
        audit.row(
            county_id=county_id,
            case_id=None,
            at=now,
            actor=principal.username,
            kind="screening_done",
            after={"task": task_id, "found": found},
            note=note,
        ),
    )
    return {**task, **done, "result": result, "found": found}


def dispute_of(result: dict[str, Any]) -> dict[str, Any]:
    for name in DISPUTE_FIELDS:
        value = result.get(name)
        if isinstance(value, dict):
            return dict(value)
    return {}


def location_value(county: County, center: str) -> Any:
    """The intake form's `location` for a center: its key, or {town, village} for forms that
    ask for the place that way (what admin.intake reads back into a center key)."""
    ref = county.forms.get(county.intake_form)
    wanted = ref.schema.get("properties", {}).get("location", {}) if ref else {}
    if wanted.get("type") != "object":
        return center
    ranks = sorted(county.levels.values(), key=lambda level: level.rank)
    town_level = ranks[1].key if len(ranks) > 1 else ranks[0].key
    town = routing.center_at_level(county, center, town_level)
    value = {"town": town.key if town else center}
    if town is not None and town.key != center:
        value["village"] = center
    return value


def found_case(
    conn: Connection,
    county: County,
    *,
    county_id: int,
    version_id: int,
    task_id: int,
    principal: Principal,
    now: datetime,
) -> Move:
    """The dispute a task found, received as a case on channel 排查 at the screened unit, in
    the same transaction as the task's link to it (one click: no second typing)."""
    task = _task(conn, county_id, task_id, lock=True)
    _mine(principal, task)
    if task["state"] != "done" or not task["found"]:
        raise ActionRefused("只有已填报且发现纠纷的排查任务才能转为案件")
    if task["case_id"] is not None:
        raise ActionRefused("这个排查任务发现的纠纷已经转为案件")
    data = dispute_of(task["result"] or {})
    severities = list(county.severities)
    data.setdefault("severity", severities[0] if severities else "")
    data["channel"] = SCREENING_CHANNEL
    data.setdefault("location", location_value(county, task["center"]))
    parties = [p for p in data.get("parties") or [] if isinstance(p, dict)]
    screening = county.screenings.get(task["screening"])
    move = intake.receive(
        conn,
        county,
        county_id=county_id,
        version_id=version_id,
        now=now,
        actor=principal.username,
        channel=SCREENING_CHANNEL,
        window=None,
        category=str(data.get("category") or ""),
        severity=str(data.get("severity") or ""),
        location=task["center"],
        parties=parties,
        data=data,
        visits=0,
        center=task["center"],
    )
    conn.execute(update(TASK).where(TASK.c.id == task_id).values(case_id=move.case_id))
    name = screening.name if screening else task["screening"]
    move.event(
        "from_screening",
        note=f"来自排查：{name} · {task['period_label']} · {task['center']}",
        task=task_id,
    )
    flow.save(move)
    return move


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Screening coverage (排查覆盖率): rounds done on time ÷ rounds due, over a span."""

    due: int  # tasks whose round ended in the span (by now)
    on_time: int
    late: int  # done after the round ended
    missed: int  # still not done: overdue

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def coverage(
    conn: Connection, county_id: int, start: datetime, end: datetime, now: datetime
) -> Coverage:
    """Over the rounds that ended in [start, end) and by `now` (indexed on county, due_at)."""
    until = min(end, now)
    on_time = and_(TASK.c.state == "done", TASK.c.done_at <= TASK.c.due_at)
    late = and_(TASK.c.state == "done", TASK.c.done_at > TASK.c.due_at)
    row = conn.execute(
        select(
            func.count(),
            func.count().filter(on_time),
            func.count().filter(late),
            func.count().filter(TASK.c.state == "open"),
        ).where(TASK.c.county_id == county_id, TASK.c.due_at > start, TASK.c.due_at <= until)
    ).one()
    return Coverage(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def overdue(task: dict[str, Any], now: datetime) -> bool:
    return bool(task["state"] == "open" and task["due_at"] < now)


def local_day(moment: datetime) -> str:
    return f"{moment.astimezone(CST):%Y-%m-%d}"
