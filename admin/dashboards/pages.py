"""What each dashboard page shows, built from the figures; no HTTP here, so the benchmark
measures exactly what a page costs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from admin.dashboards import charts
from admin.dashboards.tables import HEADLINE, PEOPLE, cell, display_name, labels, table
from admin.dashboards.viewer import Viewer
from engine.reports import court, figures, kinds, repeats, trends
from engine.reports.figures import DIMENSIONS, Figures
from engine.reports.periods import Period, day_of, month_of

TOP = 10


def buckets(period: Period) -> list[Period]:
    """Days for periods up to two months, months beyond that."""
    if len(period.days) <= trends.MAX_BUCKETS:
        return [day_of(day) for day in period.days]
    months, day = [], period.first
    while day < period.end:
        months.append(month_of(day))
        day = months[-1].end
    return months


def trend_part(conn: Connection, viewer: Viewer) -> dict[str, Any]:
    points = trends.trend(conn, viewer.ctx, buckets(viewer.period))
    chart = charts.column_chart(
        "受理与办结趋势",
        ("受理", "办结"),
        [(p.label, (p.received, p.closed)) for p in points],
    )
    return {"trend": points, "trend_chart": chart}


def by_center(conn: Connection, viewer: Viewer) -> tuple[str, dict[str, Figures]]:
    return center_rows(viewer, figures.compute(conn, viewer.ctx, "center"))


def center_rows(viewer: Viewer, raw: dict[str, Figures]) -> tuple[str, dict[str, Figures]]:
    """Rolled up to the children of the viewer's top center when they have one top center."""
    roots = viewer.scope.roots
    if len(roots) == 1 and not viewer.scope.office_pairs:
        return "subtree", figures.rollup(raw, viewer.ctx, roots[0])
    return "center", raw


def top_bars(viewer: Viewer, title: str, dim: str, rows: dict[str, Figures]) -> Any:
    items = [(display_name(viewer, dim, k), f["received"].denominator) for k, f in rows.items()]
    return charts.bar_chart(title, sorted(items, key=lambda kv: -kv[1])[:TOP])


def dashboard(conn: Connection, viewer: Viewer, dimension: str) -> dict[str, Any]:
    by_kind = dimension == kinds.OFFICE_KIND  # the per-office figures summed per kind
    if dimension not in DIMENSIONS and not by_kind:
        raise ValueError(f"未知的统计维度：{dimension[:20]}")
    grouped = "office" if by_kind else dimension
    found = figures.breakdowns(conn, viewer.ctx, [None, "center", grouped])
    total = found[None][""]
    center_dim, centers = center_rows(viewer, found["center"])
    rows = kinds.fold(viewer.county, found[grouped]) if by_kind else found[grouped]
    label = kinds.LABEL if by_kind else DIMENSIONS[dimension][0]
    return {
        "headline": [(k, label, cell(viewer, k, total[k])) for k, label in labels(HEADLINE)],
        "metric_labels": labels(HEADLINE),
        "center_dim": center_dim,
        "center_rows": table(viewer, centers, center_dim),
        "center_chart": top_bars(viewer, "各中心受理数", center_dim, centers),
        "dimension": dimension,
        "dimension_label": label,
        "rows": table(viewer, rows, dimension),
        "dimension_chart": top_bars(viewer, f"按{label}受理数", dimension, rows),
        **trend_part(conn, viewer),
        "court": court_part(conn, viewer),
    }


def court_part(conn: Connection, viewer: Viewer) -> list[tuple[str, str, Any]] | None:
    """诉源治理 (the court link, engine/reports/court.py): None when the county declares none."""

    if not court.declared(viewer.ctx):
        return None
    found = court.totals(conn, viewer.ctx)
    return [(m.key, m.label, found[m.key]) for m in court.METRICS]


def _people(rows: dict[str, Figures]) -> dict[str, Figures]:
    """Mediators (or studios) with a case received or closed in the period: the others
    appear in a breakdown only through open overdue cases or tickets, which these tables
    do not show."""
    return {
        key: row
        for key, row in rows.items()
        if row["received"].denominator or row["closed"].denominator
    }


def meeting(conn: Connection, viewer: Viewer, kind: str) -> dict[str, Any]:
    """日会商 / 周研判 / 月分析: this period against the previous one, trends, tops, repeats."""
    wanted: list[str | None] = [None, "category", "location"]
    if kind == "monthly":
        wanted += ["center", "mediator", "studio"]
    found = figures.breakdowns(conn, viewer.ctx, wanted)
    total = found[None][""]
    before = figures.totals(conn, viewer.at(viewer.period.previous()).ctx)
    top = 5 if kind == "daily" else TOP
    categories = dict(list(found["category"].items())[:top])
    places = dict(list(found["location"].items())[:top])
    values: dict[str, Any] = {
        "comparison": [
            (label, cell(viewer, k, total[k]), before[k]) for k, label in labels(HEADLINE)
        ],
        "categories": table(viewer, categories, "category", PEOPLE),
        "category_chart": top_bars(viewer, "主要事项类型", "category", categories),
        "places": table(viewer, places, "location", PEOPLE),
        "place_chart": top_bars(viewer, "主要发生地", "location", places),
        "people_labels": labels(PEOPLE),
        "previous": viewer.period.previous(),
    }
    if kind != "daily":
        values.update(trend_part(conn, viewer))
        values["repeat_parties"] = repeats.by_party(conn, viewer.ctx)
        values["repeat_places"] = repeats.by_place(conn, viewer.ctx)
    if kind == "monthly":
        center_dim, centers = center_rows(viewer, found["center"])
        values["center_dim"] = center_dim
        values["center_rows"] = table(viewer, centers, center_dim, (*PEOPLE, "on_time"))
        values["mediators"] = table(viewer, _people(found["mediator"]), "mediator", PEOPLE)
        values["studios"] = table(viewer, _people(found["studio"]), "studio", PEOPLE)
    return values
