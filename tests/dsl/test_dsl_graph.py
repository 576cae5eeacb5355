"""The process diagram (issue 18): an arrow back up (退回, 重开) goes around the steps; it never
runs through another step's box, as 五单制's 退回 once ran through 已办结."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dsl
from dsl.graph import process_svg

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
COUNTIES = sorted(p.name for p in DEFINITIONS.iterdir() if (p / "county.yd").exists())

Rect = tuple[float, float, float, float]  # x, y, width, height


def boxes(svg: str) -> list[Rect]:
    found = re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"', svg)
    return [tuple(float(v) for v in r) for r in found]  # type: ignore[misc]


def samples(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (curves sampled), start to end."""
    out: list[tuple[float, float]] = []
    for command, numbers in re.findall(r"([MLC])([^MLC]*)", d):
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        pts = list(zip(values[::2], values[1::2], strict=True))
        if command == "C":
            (x0, y0), (c1, c2, end) = out[-1], pts
            for i in range(1, 41):
                t = i / 40
                u = 1 - t
                out.append(
                    (
                        u**3 * x0 + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * end[0],
                        u**3 * y0 + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * end[1],
                    )
                )
        elif command == "L":
            (x0, y0), (x1, y1) = out[-1], pts[0]
            out += [(x0 + (x1 - x0) * i / 40, y0 + (y1 - y0) * i / 40) for i in range(1, 41)]
        else:
            out += pts
    return out


def inside(point: tuple[float, float], box: Rect) -> bool:
    x, y, w, h = box
    return x < point[0] < x + w and y < point[1] < y + h


def near(point: tuple[float, float], box: Rect) -> bool:
    x, y, w, h = box
    return x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1


@pytest.mark.parametrize("county", COUNTIES)
def test_no_arrow_back_runs_through_a_step(county: str) -> None:
    model = dsl.compile_county(DEFINITIONS / county)
    for process in model.processes.values():
        svg = process_svg(process)
        rects = boxes(svg)
        for d in re.findall(r'<path (?:class="back" )?d="(M[^"]+)" fill="none"', svg):
            points = samples(d)
            if points[-1][1] >= points[0][1]:
                continue  # a move down: a straight line between rows
            ends = [r for r in rects if near(points[0], r) or near(points[-1], r)]
            through = [r for r in rects if r not in ends and any(inside(p, r) for p in points)]
            assert through == [], (county, process.key, d)
