"""The figures (指标) of docs/dashboards.md, each summed from one numerator and one
denominator condition, for a whole scope or broken down by one dimension.

One query sums every case figure (cases touching the period only, found through indexes),
one more sums the ticket figure; a breakdown is the same queries with a GROUP BY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

from engine.reports import cohorts as c
from engine.reports import planner
from engine.reports.cohorts import Context, bytewise
from engine.tables import Case, Ticket

Condition = Callable[[Context], ColumnElement[bool]]
UNSET = "（未填）"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    subject: Literal["case", "ticket"]
    denominator: Condition  # for a count: the set counted
    numerator: Condition | None = None  # None: the figure is a count, not a rate
    # disjoint cohorts (see COHORTS) whose union holds the denominator: each is counted by
    # its own indexed query, and the figure is the sum over them
    cohorts: tuple[str, ...] = ("closed",)

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None


METRICS: tuple[Metric, ...] = (
    Metric("received", "受理数", "case", c.received, cohorts=("received",)),
    Metric("closed", "办结数", "case", c.closed),
    Metric("resolution", "化解率", "case", c.closed, c.closed_resolved),
    Metric(
        "mediation",
        "调解成功率",
        "case",
        c.closed_mediated,
        lambda x: c.closed_mediated(x) & Case.mediation_success.is_(True),
    ),
    Metric(
        "on_time",
        "按时办结率",
        "case",
        lambda x: c.closed(x) | c.overdue_open_at_end(x),
        lambda x: c.closed(x) & Case.closed_on_time.is_(True),
        ("closed", "overdue"),
    ),
    Metric(
        "satisfaction",
        "满意率",
        "case",
        c.closed_evaluated,
        lambda x: c.closed_evaluated(x) & Case.satisfaction.in_(c.SATISFIED),
    ),
    Metric(
        "acceptance", "受理率", "ticket", c.acceptance_finished, c.acceptance_taken, ("tickets",)
    ),
    Metric("completion", "办结率", "case", c.received, c.completed_by_end, ("received",)),
    Metric(
        "one_place",
        "最多跑一地占比",
        "case",
        c.closed_resolved,
        lambda x: c.closed_resolved(x) & Case.diversion.is_(None),
    ),
    Metric(
        "one_visit",
        "最多跑一次占比",
        "case",
        c.closed_resolved,
        lambda x: c.closed_resolved(x) & (Case.visits <= 1),
    ),
    Metric(
        "zero_visit",
        "零跑占比",
        "case",
        c.closed_resolved,
        lambda x: c.closed_resolved(x) & (Case.visits == 0),
    ),
    Metric(
        "grassroots",
        "基层化解占比",
        "case",
        c.closed_resolved,
        lambda x: c.closed_resolved(x) & Case.resolved_level.in_(c.grassroots_levels(x.county)),
    ),
    Metric(
        "repeat_party", "重复来访（同一当事人）", "case", c.received, c.repeat_party, ("received",)
    ),
    Metric(
        "repeat_place", "重复发生（同地同类）", "case", c.received, c.repeat_place, ("received",)
    ),
    Metric("overdue_open", "超期未结数", "case", c.overdue_open_at_end, cohorts=("overdue",)),
)
BY_KEY: Mapping[str, Metric] = {metric.key: metric for metric in METRICS}

# Pairwise disjoint where a metric lists several: closed in the period vs. not closed at its
# end. Received and closed overlap, but no metric lists both.
COHORTS: Mapping[str, Condition] = {
    "received": c.received,
    "closed": c.closed,
    "overdue": c.overdue_open_at_end,
    "tickets": c.acceptance_finished,
}

DIMENSIONS: Mapping[str, tuple[str, InstrumentedAttribute[Any]]] = {
    "center": ("中心", Case.center),
    "level": ("层级", Case.level),
    "office": ("单位", Case.office),
    "mediator": ("调解员", Case.mediator),
    "studio": ("工作室", Case.studio),
    "category": ("事项类型", Case.category),
    "channel": ("渠道", Case.channel),
    "location": ("地点", Case.location),
}


@dataclass(frozen=True)
class Figure:
    numerator: int | None
    denominator: int

    @property
    def value(self) -> float | int | None:
        """The count, or the rate in [0, 1]; None for a rate with nothing to divide by."""
        if self.numerator is None:
            return self.denominator
        return self.numerator / self.denominator if self.denominator else None

    @property
    def display(self) -> str:
        if self.numerator is None:
            return str(self.denominator)
        if not self.denominator:
            return "—"
        return f"{100 * self.numerator / self.denominator:.1f}%"

    def __add__(self, other: Figure) -> Figure:
        num = None if self.numerator is None else self.numerator + (other.numerator or 0)
        return Figure(num, self.denominator + other.denominator)


Figures = dict[str, Figure]  # metric key -> figure


@dataclass(frozen=True)
class _Counted:
    """The distinct conditions a query counts, and for each numerator and denominator of the
    metrics (in order) which of them it is: most figures share "closed in the period"."""

    conditions: list[ColumnElement[bool]]
    slots: list[int]

    @classmethod
    def of(cls, metrics: list[Metric], ctx: Context) -> _Counted:
        built: dict[Condition, int] = {}
        conditions: list[ColumnElement[bool]] = []
        slots: list[int] = []
        for metric in metrics:
            for condition in (metric.denominator, metric.numerator):
                if condition is None:
                    continue
                if condition not in built:
                    built[condition] = len(conditions)
                    conditions.append(condition(ctx))
                slots.append(built[condition])
        return cls(conditions, slots)

    def sums(self) -> list[ColumnElement[int]]:
        return [func.sum(case((condition, 1), else_=0)) for condition in self.conditions]

    def unpack(self, metrics: list[Metric], values: Sequence[int | None]) -> Figures:
        result: Figures = {}
        slots = iter(self.slots)
        for metric in metrics:
            den = int(values[next(slots)] or 0)
            num = int(values[next(slots)] or 0) if metric.numerator is not None else None
            result[metric.key] = Figure(num, den)
        return result


def _empty(metrics: list[Metric]) -> Figures:
    return {m.key: Figure(0 if m.is_rate else None, 0) for m in metrics}


def _group(dimension: str | None) -> InstrumentedAttribute[Any] | None:
    if dimension is None:
        return None
    if dimension not in DIMENSIONS:
        raise ValueError(f"未知的统计维度：{dimension}")
    return DIMENSIONS[dimension][1]


Breakdowns = dict[str | None, dict[str, Figures]]  # dimension (None: whole scope) -> rows


def _select(
    ctx: Context, cohort: str, columns: list[ColumnElement[Any] | InstrumentedAttribute[Any]]
) -> Select[Any]:
    """`columns` over the rows of one cohort in scope: the WHERE clause its index serves."""
    stmt = select(*columns).where(ctx.in_scope(), COHORTS[cohort](ctx))
    if cohort == "tickets":
        stmt = stmt.select_from(Ticket).join(Case, Case.id == Ticket.case_id)
    return stmt


def _query(
    conn: Connection,
    ctx: Context,
    cohort: str,
    metrics: list[Metric],
    dimensions: list[str | None],
) -> Breakdowns:
    """Sum `metrics` over one cohort for every breakdown at once, reading the cohort once:
    GROUPING SETS on PostgreSQL; on SQLite, the cohort's rows with one 0/1 flag per
    condition, materialized once, then one GROUP BY per breakdown (UNION ALL). Either way
    the repeat sets are built once per cohort, not once per figure or breakdown."""
    groups = [_group(d) for d in dimensions]
    counted = _Counted.of(metrics, ctx)
    found: Breakdowns = {d: {} for d in dimensions}
    if conn.dialect.name == "postgresql":
        # grouped byte by byte: the same groups, sorted without the locale's rules
        columns = [bytewise(g.expression) for g in groups if g is not None]
        named = [d for d in dimensions if d is not None]
        flags = [func.grouping(g) for g in columns]  # 0 where the row is grouped by g
        sets = [tuple_(column) for column in columns]
        if None in dimensions:
            sets.insert(dimensions.index(None), tuple_())
        stmt = _select(ctx, cohort, [*flags, *columns, *counted.sums()]).group_by(
            func.grouping_sets(*sets)
        )
        width = len(columns)
        for row in conn.execute(stmt).all():
            bits, keys, sums = row[:width], row[width : 2 * width], row[2 * width :]
            grouped = [i for i, bit in enumerate(bits) if bit == 0]
            if grouped:
                found[named[grouped[0]]][keys[grouped[0]] or UNSET] = counted.unpack(metrics, sums)
            else:
                found[None][""] = counted.unpack(metrics, sums)
        return found
    values = [g.label(f"d{i}") for i, g in enumerate(groups) if g is not None]
    ones = [case((c, 1), else_=0).label(f"f{i}") for i, c in enumerate(counted.conditions)]
    rows = _select(ctx, cohort, [*values, *ones]).cte("flagged").prefix_with("MATERIALIZED")
    totals = [func.sum(rows.c[f"f{i}"]) for i in range(len(counted.conditions))]
    parts = []
    for index, group in enumerate(groups):
        key = rows.c[f"d{index}"] if group is not None else null()
        part = select(literal(index).label("s"), key.label("g"), *totals).select_from(rows)
        parts.append(part.group_by(key) if group is not None else part)
    combined = parts[0] if len(parts) == 1 else union_all(*parts)
    for row in conn.execute(combined).all():
        dimension = dimensions[int(row[0])]
        name = (row[1] or UNSET) if dimension is not None else ""
        found[dimension][name] = counted.unpack(metrics, row[2:])
    return found


def breakdowns(
    conn: Connection,
    ctx: Context,
    dimensions: list[str | None],
    keys: list[str] | None = None,
) -> Breakdowns:
    """Figures per value of each dimension in `dimensions` (None: the whole scope, under "").

    One query per cohort serves every breakdown; rows are biggest first; `keys` limits the
    metrics computed (all by default)."""
    for dimension in dimensions:
        _group(dimension)  # refuse an unknown dimension before touching the database
    unique = list(dict.fromkeys(dimensions))
    wanted = [m for m in METRICS if keys is None or m.key in keys]
    merged: Breakdowns = {d: {} for d in unique}
    # With a dimension to group by, the whole scope is the sum of its rows (each case or
    # ticket is in exactly one of them): PostgreSQL can then hash every grouping set, where
    # the empty set () made it sort the month's rows first.
    grouped: list[str | None] = [d for d in unique if d is not None] or unique
    if not ctx.scope.empty and unique:
        planner.settle(conn)
        for cohort in COHORTS:
            part = [m for m in wanted if cohort in m.cohorts]
            if not part:
                continue
            for dimension, rows in _query(conn, ctx, cohort, part, grouped).items():
                into_rows = merged[dimension]
                for key, figures in rows.items():
                    into = into_rows.get(key)
                    if into is None:
                        into = into_rows[key] = _empty(wanted)
                    for metric_key, figure in figures.items():
                        # each metric is counted by one cohort query, or by two for on_time
                        into[metric_key] = into[metric_key] + figure
    if None in merged and None not in grouped:
        whole = merged[None][""] = _empty(wanted)
        for figures in merged[grouped[0]].values():
            for metric_key, figure in figures.items():
                whole[metric_key] = whole[metric_key] + figure
    if None in merged and "" not in merged[None]:
        merged[None][""] = _empty(wanted)
    return {
        d: dict(sorted(rows.items(), key=lambda kv: _weight(kv[1]), reverse=True))
        for d, rows in merged.items()
    }


def compute(
    conn: Connection, ctx: Context, dimension: str | None = None, keys: list[str] | None = None
) -> dict[str, Figures]:
    """Figures per value of `dimension` ("" = the whole scope when no dimension), biggest first.

    `keys` limits the metrics computed (all by default)."""
    return breakdowns(conn, ctx, [dimension], keys)[dimension]


def _weight(figures: Figures) -> tuple[int, int]:
    received = figures.get("received")
    closed = figures.get("closed")
    return (received.denominator if received else 0, closed.denominator if closed else 0)


def totals(conn: Connection, ctx: Context, keys: list[str] | None = None) -> Figures:
    return compute(conn, ctx, None, keys)[""]


def rollup(by_center: dict[str, Figures], ctx: Context, parent: str) -> dict[str, Figures]:
    """Fold per-center figures into `parent`'s children (and `parent` itself).

    Rates fold exactly because numerators and denominators are both counts over disjoint
    sets of cases (a case has one current center)."""
    county = ctx.county
    folded: dict[str, Figures] = {}
    for center, figures in by_center.items():
        target = _child_towards(county.centers, center, parent)
        if target is None:
            continue
        into = folded.setdefault(target, {})
        for key, figure in figures.items():
            into[key] = into[key] + figure if key in into else figure
    return dict(sorted(folded.items(), key=lambda kv: _weight(kv[1]), reverse=True))


def _child_towards(centers: Mapping[str, object], center: str, parent: str) -> str | None:
    """The child of `parent` that is `center` or above it; `parent` itself; else None."""
    key: str | None = center
    previous = center
    while key is not None:
        if key == parent:
            return previous if previous != parent else parent
        previous = key
        node = centers.get(key)
        key = getattr(node, "parent", None)
    return None
