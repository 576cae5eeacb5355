"""SVG chart geometry: bars proportional to their values, nothing divides by zero."""

from __future__ import annotations

import pytest

from admin.dashboards import charts


def test_bars_are_proportional_and_longest_fills_the_room() -> None:
    chart = charts.bar_chart("各中心", [("城关镇", 40), ("河口镇", 10), ("西村", 0)])
    room = charts.WIDTH - charts.LABEL_WIDTH - 60
    assert [b.width for b in chart.bars] == [room, room / 4, 0]
    assert [b.y for b in chart.bars] == [0, 28, 56]
    assert chart.height == 3 * 28


def test_empty_bar_chart() -> None:
    chart = charts.bar_chart("空", [])
    assert chart.bars == []
    assert chart.height == 28


def test_column_chart_scales_to_the_highest_value() -> None:
    chart = charts.column_chart("趋势", ("受理", "办结"), [("11-01", (4, 2)), ("11-02", (0, 8))])
    assert chart.top == 8
    assert chart.columns[0].heights == pytest.approx((90.0, 45.0))
    assert chart.columns[1].heights == pytest.approx((0.0, 180.0))
    assert chart.columns[1].x - chart.columns[0].x == pytest.approx(chart.step)


def test_all_zero_columns() -> None:
    chart = charts.column_chart("趋势", ("受理",), [("11-01", (0,))])
    assert chart.columns[0].heights == (0.0,)
