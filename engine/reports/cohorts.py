"""The sets of cases (and tickets) figures count, as SQL conditions: one definition per set.

Each function returns a condition on `Case` (or `Ticket`) for one period; figures.py sums
them and the drill-down lists select with them, so a list always matches its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler

from dsl.model import County
from engine.reports.periods import Period
from engine.reports.scope import Scope
from engine.tables import Case, CaseParty, Ticket

SATISFIED = ("满意", "基本满意")


@dataclass(frozen=True)
class Context:
    """Everything a condition needs: the county row, the period and the viewer's scope."""

    county_id: int
    period: Period
    scope: Scope
    now: datetime | None = None  # the viewer's clock: a period still running ends "now"

    @property
    def cutoff_utc(self) -> datetime:
        """The instant states "at the end of the period" are read at: the period's end, or now
        while the period is still running (a case due next week is not overdue today)."""
        end = self.period.end_utc
        return end if self.now is None or self.now >= end else self.now

    @property
    def county(self) -> County:
        return self.scope.county

    def in_scope(self) -> ColumnElement[bool]:
        return and_(Case.county_id == self.county_id, self.scope.condition())


def grassroots_levels(county: County) -> tuple[str, ...]:
    """The two lowest levels (village and town): the two highest ranks."""
    ranked = sorted(county.levels.values(), key=lambda level: level.rank)
    return tuple(level.key for level in ranked[-2:])


def acceptance_steps(county: County) -> tuple[str, ...]:
    """Steps whose ticket can be returned (退单): where an office accepts or refuses work."""
    keys = {
        step.key
        for process in county.processes.values()
        for step in process.steps.values()
        if any(action.effect == "return" for action in step.actions)
    }
    return tuple(sorted(keys))


def received(ctx: Context) -> ColumnElement[bool]:
    p = ctx.period
    return and_(Case.received_at >= p.start_utc, Case.received_at < p.end_utc)


def closed(ctx: Context) -> ColumnElement[bool]:
    p = ctx.period
    return and_(Case.status == "closed", Case.closed_at >= p.start_utc, Case.closed_at < p.end_utc)


def overdue_open_at_end(ctx: Context) -> ColumnElement[bool]:
    """Received before the end, not closed at the end, due before it, clock not stopped; for
    the running period "the end" is now (Context.cutoff_utc).

    Two branches, each served by its own index: still open now (status, due time), or closed
    only after the end (closing time). The second branch tests the status through COALESCE
    on purpose, so that no planner walks every closed case by its due time."""
    end = ctx.cutoff_utc
    started_and_due = and_(Case.received_at < end, Case.due_at < end)
    open_now = and_(Case.status == "open", started_and_due)
    closed_later = and_(
        Case.closed_at >= end, func.coalesce(Case.status, "") == "closed", started_and_due
    )
    return or_(open_now, closed_later)


def any_cohort(ctx: Context) -> ColumnElement[bool]:
    """Rows any case figure may count: lets the database use its indexes before summing."""
    return or_(received(ctx), closed(ctx), overdue_open_at_end(ctx))


def closed_resolved(ctx: Context) -> ColumnElement[bool]:
    return and_(closed(ctx), Case.resolved.is_(True))


def closed_mediated(ctx: Context) -> ColumnElement[bool]:
    return and_(closed(ctx), Case.mediated.is_(True))


def closed_evaluated(ctx: Context) -> ColumnElement[bool]:
    return and_(closed(ctx), Case.satisfaction.is_not(None))


def completed_by_end(ctx: Context) -> ColumnElement[bool]:
    return and_(received(ctx), Case.status == "closed", Case.closed_at < ctx.period.end_utc)


def received_ids(ctx: Context) -> Select[int]:
    """Ids of the received cohort in scope."""
    return select(Case.id).where(ctx.in_scope(), received(ctx))


class bytewise(ColumnElement[str]):
    """Text compared byte by byte: sorting for grouping needs no language order, and
    PostgreSQL's locale-aware sort of a month of names costs several times a byte sort.
    Equality is the same either way; SQLite compares bytes already."""

    inherit_cache = True

    def __init__(self, text: ColumnElement[str]) -> None:
        self.text = text
        self.type = text.type


@compiles(bytewise)
def _bytewise(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.text, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_pg(element: bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.text, **kw)}) COLLATE "C"'


def party_visits(ctx: Context) -> Subquery:
    """Every party row of the received cohort in scope, with `first` and `last`: the smallest
    and largest case id its identity (name, phone) appears on in the cohort. `first <> last`
    means the identity is on two cases or more: a repeat (one case naming the party twice is
    not). The figure and the meeting report's repeat groups both read it.

    Cases and parties are read by id between the cohort's smallest and largest id: always
    true of a cohort case, and a short index range on both tables because ids follow intake
    order, so PostgreSQL merges the two ranges instead of reading every party."""
    cohort = received_ids(ctx).subquery("cohort")
    # `id + 0`: else PostgreSQL looks for min(id) by walking the primary key from its first
    # entry until it meets a case received in the period, most of the table
    bounds = select(
        func.min(cohort.c.id + 0).label("lowest"), func.max(cohort.c.id + 0).label("highest")
    ).cte()  # computed once, read four times; anonymous, so two of them never clash
    lowest = select(bounds.c.lowest).scalar_subquery()
    highest = select(bounds.c.highest).scalar_subquery()
    case = aliased(Case, name="party_case")  # never correlated with an enclosing case query
    name = bytewise(CaseParty.name.expression)
    phone = bytewise(func.coalesce(CaseParty.phone, literal("")))
    return (
        select(
            CaseParty.case_id,
            name.label("name"),
            phone.label("phone"),
            func.min(CaseParty.case_id).over(partition_by=(name, phone)).label("first"),
            func.max(CaseParty.case_id).over(partition_by=(name, phone)).label("last"),
        )
        .join(case, case.id == CaseParty.case_id)
        .where(
            case.county_id == ctx.county_id,
            ctx.scope.condition_on(case),
            case.received_at >= ctx.period.start_utc,
            case.received_at < ctx.period.end_utc,
            case.id >= lowest,
            case.id <= highest,
            CaseParty.case_id >= lowest,
            CaseParty.case_id <= highest,
        )
        .subquery("party_visits")
    )


def repeat_party(ctx: Context) -> ColumnElement[bool]:
    """Received cases sharing a (name, phone) party with another received case in scope."""
    visits = party_visits(ctx)
    repeated = select(visits.c.case_id).where(visits.c.first != visits.c.last)
    return and_(received(ctx), Case.id.in_(repeated))


def repeat_place(ctx: Context) -> ColumnElement[bool]:
    """Received cases whose (location, category) occurs on another received case in scope."""
    shared = (
        select(Case.location, Case.category)
        .where(ctx.in_scope(), received(ctx))
        .group_by(Case.location, Case.category)
        .having(func.count() > 1)
    )
    return and_(received(ctx), tuple_(Case.location, Case.category).in_(shared))


# --- tickets -----------------------------------------------------------------------------


def acceptance_finished(ctx: Context) -> ColumnElement[bool]:
    p = ctx.period
    return and_(
        Ticket.county_id == ctx.county_id,
        Ticket.step.in_(acceptance_steps(ctx.county)),
        Ticket.state.in_(("completed", "returned")),
        Ticket.completed_at >= p.start_utc,
        Ticket.completed_at < p.end_utc,
    )


def acceptance_taken(ctx: Context) -> ColumnElement[bool]:
    return and_(acceptance_finished(ctx), Ticket.state == "completed")
