"""The worker's pass over correlated warnings (预警研判): each day, once per county, the cases
received the day before are correlated again (engine.correlation, `recheck`).

Intake already correlates each case as it comes in; this pass catches what intake could not
see: two cases of one cluster received at the same moment on PostgreSQL (each transaction saw
only its own hit), and cases received before a rule was published. It reads the day's cases
on the (county, received_at) index: its cost follows the day's intake, not the history.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from dsl.model import County
from engine import correlation, scheduler
from engine.tables import CASE, PARTY

NAME = "预警研判"
CHUNK = 500


def jobs(county: County) -> list[scheduler.Job]:
    if not county.warning_rules:
        return []
    names = "、".join(rule.name for rule in county.warning_rules.values())
    return [scheduler.Job(key=NAME, title=f"{NAME}：{names}（每日复核前一日受理）", period="day")]


def run(job: scheduler.Run) -> str:
    period, conn = job.period, job.conn
    cases = [
        dict(row)
        for row in conn.execute(
            select(CASE.c.id, CASE.c.channel, CASE.c.location, CASE.c.category, CASE.c.received_at)
            .where(
                CASE.c.county_id == job.county_id,
                CASE.c.received_at >= period.start,
                CASE.c.received_at < period.end,
            )
            .order_by(CASE.c.received_at, CASE.c.id)
        ).mappings()
    ]
    raised = 0
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        parties: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(
            select(PARTY.c.case_id, PARTY.c.id_number, PARTY.c.phone).where(
                PARTY.c.case_id.in_([c["id"] for c in chunk])
            )
        ).mappings():
            parties[int(row["case_id"])].append(dict(row))
        for case in chunk:
            found = correlation.correlate(
                conn,
                job.county,
                job.county_id,
                case,
                parties[int(case["id"])],
                actor="系统",
                now=job.now,
                recheck=True,
            )
            raised += sum(1 for item in found if item.new)
    return f"{period.label}受理 {len(cases)} 件，新增预警 {raised} 条"


scheduler.register(scheduler.JobKind(NAME, jobs, run))
