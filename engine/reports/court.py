"""The 诉源治理 figures of the court link (诉调对接, engine/court.py), for one period and scope.

- 法院委派数: cases received in the period on a court referral channel (委派/委托调解, 诉前调);
  诉前调解办结数 / 诉前调解成功数 / 诉前调解成功率: those closed in the period, mediated
  successfully (by the outcome's declared meaning, engine/outcomes.py).
- 申请司法确认数: confirmation requests made in the period; 司法确认数 / 不予确认数: decided
  in the period; 司法确认率 = confirmed / decided.
- 移送法院数: hand-offs to the court (诉讼/速裁) in the period; 调解不成移送数: of those, after
  a failed mediation (矛盾外溢 to the court); 法院结案数 / 法院退回调解数: decided in the
  period; 等待法院数: with the court, undecided, at the end of the period.

A case counts where it is (its current center in the viewer's scope), like every figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from engine.court_records import (
    CLOSED,
    CONFIRMATION,
    CONFIRMED,
    HAND_OFF,
    REFUSED,
    SENT_BACK,
    CourtMatter,
)
from engine.reports.cohorts import Context
from engine.reports.figures import Figure
from engine.tables import Case

Rule = Callable[[Context], ColumnElement[bool]]


@dataclass(frozen=True)
class CourtMetric:
    key: str
    label: str
    subject: str  # "case" or "matter"
    denominator: Rule
    numerator: Rule | None = None


def _referral(ctx: Context) -> ColumnElement[bool]:
    link = ctx.county.court
    channels = tuple(link.referrals) if link is not None else ()
    return Case.channel.in_(channels) if channels else Case.id.is_(None)


def _received(ctx: Context) -> ColumnElement[bool]:
    p = ctx.period
    return and_(_referral(ctx), Case.received_at >= p.start_utc, Case.received_at < p.end_utc)


def _closed(ctx: Context) -> ColumnElement[bool]:
    p = ctx.period
    return and_(
        _referral(ctx),
        Case.status == "closed",
        Case.closed_at >= p.start_utc,
        Case.closed_at < p.end_utc,
    )


def _mediated(ctx: Context) -> ColumnElement[bool]:
    return and_(_closed(ctx), Case.mediation_success.is_(True))


def _asked(kind: str) -> Rule:
    def rule(ctx: Context) -> ColumnElement[bool]:
        p = ctx.period
        return and_(
            CourtMatter.kind == kind,
            CourtMatter.requested_at >= p.start_utc,
            CourtMatter.requested_at < p.end_utc,
        )

    return rule


def _decided(*decisions: str) -> Rule:
    def rule(ctx: Context) -> ColumnElement[bool]:
        p = ctx.period
        return and_(
            CourtMatter.decision.in_(decisions),
            CourtMatter.decided_at >= p.start_utc,
            CourtMatter.decided_at < p.end_utc,
        )

    return rule


def _failed_mediation(ctx: Context) -> ColumnElement[bool]:
    return and_(_asked(HAND_OFF)(ctx), CourtMatter.after_failed_mediation.is_(True))


def _waiting(ctx: Context) -> ColumnElement[bool]:
    end = ctx.cutoff_utc
    return and_(
        CourtMatter.kind == HAND_OFF,
        CourtMatter.requested_at < end,
        or_(CourtMatter.decided_at.is_(None), CourtMatter.decided_at >= end),
    )


METRICS: tuple[CourtMetric, ...] = (
    CourtMetric("referrals", "法院委派数", "case", _received),
    CourtMetric("referrals_closed", "诉前调解办结数", "case", _closed),
    CourtMetric("referrals_mediated", "诉前调解成功数", "case", _mediated),
    CourtMetric("referral_success", "诉前调解成功率", "case", _closed, _mediated),
    CourtMetric("confirmations_asked", "申请司法确认数", "matter", _asked(CONFIRMATION)),
    CourtMetric("confirmed", "司法确认数", "matter", _decided(CONFIRMED)),
    CourtMetric("refused", "不予确认数", "matter", _decided(REFUSED)),
    CourtMetric(
        "confirmation_rate",
        "司法确认率",
        "matter",
        _decided(CONFIRMED, REFUSED),
        _decided(CONFIRMED),
    ),
    CourtMetric("hand_offs", "移送法院数", "matter", _asked(HAND_OFF)),
    CourtMetric("after_failed_mediation", "调解不成移送数", "matter", _failed_mediation),
    CourtMetric("court_closed", "法院结案数", "matter", _decided(CLOSED)),
    CourtMetric("sent_back", "法院退回调解数", "matter", _decided(SENT_BACK)),
    CourtMetric("waiting", "等待法院数", "matter", _waiting),
)
BY_LABEL = {m.label: m for m in METRICS}


def declared(ctx: Context) -> bool:
    """Whether the county declares a court link at all (the dashboards show the panel then)."""
    return ctx.county.court is not None


def totals(conn: Connection, ctx: Context) -> dict[str, Figure]:
    """Every court figure for the period and scope: one query over cases, one over matters."""
    found: dict[str, Figure] = {}
    for subject in ("case", "matter"):
        metrics = [m for m in METRICS if m.subject == subject]
        columns = []
        for m in metrics:
            columns.append(_count(m.denominator(ctx)))
            if m.numerator is not None:
                columns.append(_count(m.numerator(ctx)))
        query = select(*columns).where(ctx.in_scope())
        if subject == "matter":
            query = query.select_from(CourtMatter).join(Case, Case.id == CourtMatter.case_id)
        else:
            query = query.select_from(Case)
        row = list(conn.execute(query).one())
        for m in metrics:
            denominator = int(row.pop(0) or 0)
            numerator = int(row.pop(0) or 0) if m.numerator is not None else None
            found[m.key] = Figure(numerator, denominator)
    return found


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
