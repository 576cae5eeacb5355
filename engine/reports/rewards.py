"""The monthly per-case reward ledger (调解计件奖励台账, issue 22).

One line per outcome recorded in the month whose meaning has a declared rate
(`计件奖励 调解成功 200 元, 司法确认 100 元`): the case, the outcome, the amount and the person it
is paid to, as fixed when the outcome was recorded (engine/mediators.py: `credited`): a
mediation outcome pays whoever recorded it (or the mediator the form named); a court's
confirmation (类别 司法确认) pays the case's mediator at that moment, not the judge. A later
reopening and another mediator never change what an earlier month paid.
Only cases the viewer's scope may open are counted (the same SQL condition as every figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from dsl.model import OUTCOME_MEANINGS
from engine.clock import CST
from engine.mediators import CASE_MEDIATOR
from engine.reports.cohorts import Context
from engine.tables import CASE, Case

LINE_COLUMNS: Sequence[tuple[str, str]] = (
    ("day", "日期"),
    ("code", "案件编号"),
    ("payee", "调解员"),
    ("studio", "工作室"),
    ("office", "承办单位"),
    ("center", "中心"),
    ("outcome", "办理结果"),
    ("meaning", "结果类别"),
    ("amount", "金额（元）"),
)
SUMMARY_COLUMNS: Sequence[tuple[str, str]] = (
    ("payee", "调解员"),
    ("count", "计件数"),
    ("amount", "金额（元）"),
)
NO_PAYEE = "（未记录调解员）"


@dataclass(frozen=True)
class Ledger:
    lines: list[dict[str, Any]]
    summary: list[dict[str, Any]]  # per payee, most paid first
    total_count: int
    total_amount: int


def ledger(conn: Connection, ctx: Context) -> Ledger:
    county = ctx.scope.county
    rates = county.reward_rates
    if not rates or ctx.scope.empty:
        return Ledger([], [], 0, 0)
    cm = CASE_MEDIATOR
    query = (
        select(
            cm.c.at,
            cm.c.name,
            cm.c.studio,
            cm.c.office,
            cm.c.center,
            cm.c.outcome,
            cm.c.meaning,
            cm.c.credited,
            cm.c.credited_studio,
            CASE.c.code,
        )
        .join(CASE, CASE.c.id == cm.c.case_id)
        .where(
            cm.c.county_id == ctx.county_id,
            cm.c.part == "recorded",
            cm.c.meaning.in_(sorted(rates)),
            cm.c.at >= ctx.period.start_utc,
            cm.c.at < ctx.period.end_utc,
            ctx.scope.condition_on(Case),
        )
        .order_by(cm.c.at, cm.c.id)
    )
    lines: list[dict[str, Any]] = []
    for row in conn.execute(query):
        payee = row.credited or NO_PAYEE
        studio = row.credited_studio
        lines.append(
            {
                "day": f"{_local(row.at):%Y-%m-%d}",
                "code": row.code,
                "payee": payee,
                "studio": county.studios[studio].name if studio in county.studios else "",
                "office": county.offices[row.office].name if row.office in county.offices else "",
                "center": county.centers[row.center].name if row.center in county.centers else "",
                "outcome": row.outcome,
                "meaning": OUTCOME_MEANINGS[row.meaning][0],
                "amount": rates[row.meaning],
            }
        )
    per: dict[str, dict[str, Any]] = {}
    for line in lines:
        entry = per.setdefault(line["payee"], {"payee": line["payee"], "count": 0, "amount": 0})
        entry["count"] += 1
        entry["amount"] += line["amount"]
    summary = sorted(per.values(), key=lambda e: (-e["amount"], -e["count"], e["payee"]))
    return Ledger(lines, summary, len(lines), sum(line["amount"] for line in lines))


def _local(at: datetime) -> datetime:
    return at.astimezone(CST)
