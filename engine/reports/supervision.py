"""督办 per office (督办单统计): the 督办单 issued by hand to each office in the period, and how
they were answered. Counted over `supervision_notice` (engine/supervision.py), limited in SQL
to the viewer's scope through the case each 督办单 is on.

- issued: 督办单 issued in the period (by their issue time);
- on time / late: of those, replied by the due time / after it, by the period's cutoff;
- open: of those, still unanswered at the cutoff (the end of the period, or now).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from engine.reports.cohorts import Context
from engine.supervision import NOTICE
from engine.tables import Case

COLUMNS: tuple[tuple[str, str], ...] = (
    ("office", "单位"),
    ("issued", "督办单"),
    ("on_time", "按期回复"),
    ("late", "逾期回复"),
    ("open", "未回复"),
)


@dataclass(frozen=True)
class OfficeSupervision:
    office: str  # Office.key
    name: str  # the office's name in the definition
    issued: int
    on_time: int
    late: int
    open: int


def by_office(conn: Connection, ctx: Context) -> list[OfficeSupervision]:
    """One row per office that was sent a 督办单 in the period, most issued first."""
    if ctx.scope.empty:
        return []
    cutoff = ctx.cutoff_utc
    # NULL-safe: an unanswered 督办单 is "not answered", never unknown
    answered = func.coalesce(NOTICE.c.replied_at <= cutoff, False)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = (
        select(
            NOTICE.c.office,
            func.count().label("issued"),
            count(and_(answered, NOTICE.c.replied_at <= NOTICE.c.due_at)).label("on_time"),
            count(and_(answered, NOTICE.c.replied_at > NOTICE.c.due_at)).label("late"),
            count(~answered).label("open"),
        )
        .join(Case, Case.id == NOTICE.c.case_id)
        .where(
            ctx.in_scope(),
            NOTICE.c.county_id == ctx.county_id,
            NOTICE.c.issued_at >= ctx.period.start_utc,
            NOTICE.c.issued_at < ctx.period.end_utc,
        )
        .group_by(NOTICE.c.office)
        .order_by(func.count().desc(), NOTICE.c.office)
    )
    offices = ctx.county.offices
    return [
        OfficeSupervision(
            office=str(row.office),
            name=offices[row.office].name if row.office in offices else str(row.office),
            issued=int(row.issued),
            on_time=int(row.on_time),
            late=int(row.late),
            open=int(row.open),
        )
        for row in conn.execute(stmt)
    ]
