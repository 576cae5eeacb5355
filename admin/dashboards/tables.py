"""Figure tables for pages and ledgers: rows of figures by a dimension, with names and links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from admin.dashboards.viewer import Viewer
from engine.reports import kinds
from engine.reports.figures import BY_KEY, DIMENSIONS, METRICS, UNSET, Figure, Figures

TABLE_METRICS = tuple(m.key for m in METRICS)
HEADLINE = (
    "received",
    "closed",
    "resolution",
    "mediation",
    "on_time",
    "satisfaction",
    "acceptance",
    "completion",
    "one_place",
    "one_visit",
    "zero_visit",
    "grassroots",
    "repeat_party",
    "repeat_place",
    "overdue_open",
)
PEOPLE = ("received", "mediation")  # per-mediator / per-studio tables


@dataclass(frozen=True)
class Cell:
    figure: Figure
    link: str  # drill-down to the cases behind the number shown
    den_link: str  # drill-down to the denominator ("" for counts)


@dataclass(frozen=True)
class TableRow:
    key: str
    name: str
    cells: dict[str, Cell]


def display_name(viewer: Viewer, dimension: str, key: str) -> str:
    county = viewer.county
    named: Mapping[str, Any] = {
        "center": county.centers,
        "subtree": county.centers,
        "location": county.centers,
        "office": county.offices,
        "studio": county.studios,
        "channel": county.channels,
        "level": county.levels,
        "category": county.categories,
    }.get(dimension, {})
    return str(named[key].name) if key in named else key


def cell(viewer: Viewer, key: str, figure: Figure, dimension: str = "", value: str = "") -> Cell:
    metric = BY_KEY[key]

    def link(part: str) -> str:
        return viewer.link("/dashboards/cases", metric=key, part=part, dim=dimension, value=value)

    if metric.is_rate:
        return Cell(figure, link("num"), link("den"))
    return Cell(figure, link("den"), "")


def table(
    viewer: Viewer, rows: dict[str, Figures], dimension: str, keys: tuple[str, ...] = TABLE_METRICS
) -> list[TableRow]:
    return [_row(viewer, value, figures, dimension, keys) for value, figures in rows.items()]


def _row(
    viewer: Viewer, value: str, figures: Figures, dimension: str, keys: tuple[str, ...]
) -> TableRow:
    name = display_name(viewer, dimension, value)
    if dimension == "subtree" and value in viewer.scope.roots:
        # a roll-up's top center holds only its own cases: its row drills down to exactly it
        dimension, name = "center", name + "（本级）"
    return TableRow(value, name, {k: cell(viewer, k, figures[k], dimension, value) for k in keys})


def labels(keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(k, BY_KEY[k].label) for k in keys]


def dimension_label(dimension: str) -> str:
    if dimension == kinds.OFFICE_KIND:
        return kinds.LABEL
    return "中心（含下级）" if dimension == "subtree" else DIMENSIONS[dimension][0]


def ledger(
    rows: list[TableRow], dimension: str, keys: tuple[str, ...] = TABLE_METRICS
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Columns and rows of a figure table as a ledger: each rate with its fraction beside it."""
    columns: list[tuple[str, str]] = [("name", dimension_label(dimension))]
    for key in keys:
        metric = BY_KEY[key]
        columns.append((key, metric.label))
        if metric.is_rate:
            columns.append((key + "_fraction", metric.label + "（分子/分母）"))
    out: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, Any] = {"name": row.name if row.key != UNSET else UNSET}
        for key in keys:
            figure = row.cells[key].figure
            values[key] = figure.display if BY_KEY[key].is_rate else figure.denominator
            if BY_KEY[key].is_rate:
                values[key + "_fraction"] = f"{figure.numerator}/{figure.denominator}"
        out.append(values)
    return columns, out
