"""Server-rendered SVG charts: geometry computed here, markup in templates/_charts.html.

No JavaScript and no inline script (the CSP forbids it); every chart is followed by a table
with its numbers, so nothing is only visible as a picture.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 150
PLOT_HEIGHT = 180


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def bar_chart(title: str, items: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars, longest = full width, labels on the left, values at the bar end."""
    top = max((value for _, value in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(label[:12], value, i * (BAR_HEIGHT + 6), room * value / top)
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(title, bars, max(len(bars), 1) * (BAR_HEIGHT + 6))


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    values: tuple[int, ...]
    heights: tuple[float, ...]
    show_label: bool


@dataclass(frozen=True)
class ColumnChart:
    title: str
    series: tuple[str, ...]
    columns: list[Column]
    step: float
    bar: float
    top: int
    height: int = PLOT_HEIGHT
    width: int = WIDTH


def column_chart(
    title: str, series: tuple[str, ...], points: list[tuple[str, tuple[int, ...]]]
) -> ColumnChart:
    """Grouped columns over time (one colour per series), every few labels on the axis."""
    top = max((v for _, values in points for v in values), default=0) or 1
    step = (WIDTH - 40) / max(len(points), 1)
    bar = max(step / (len(series) + 1), 1.0)
    every = max(len(points) // 10, 1)
    columns = [
        Column(
            label,
            40 + i * step,
            values,
            tuple(PLOT_HEIGHT * v / top for v in values),
            i % every == 0,
        )
        for i, (label, values) in enumerate(points)
    ]
    return ColumnChart(title, series, columns, step, bar, top)
