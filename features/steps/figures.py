# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Checking report figures for a period (docs/dashboards.md defines each figure)."""

from __future__ import annotations

import re
from datetime import date

from engine import versions
from engine.reports import court as court_figures  # the 诉源治理 figures (诉调对接)
from engine.reports import figures
from engine.reports.cohorts import Context
from engine.reports.periods import Period, PeriodError, custom, day_of, month_of
from engine.reports.scope import Scope, subtree
from features.steps.phrases import phrase
from features.steps.world import World

TABLE_DOC = "两列：指标 | 值。指标写名称（受理数、办结数、化解率、调解成功率、按时办结率、满意率、受理率、办结率、最多跑一地占比、最多跑一次占比、零跑占比、基层化解占比、超期未结数、法院委派数、诉前调解成功率、申请司法确认数、司法确认数、移送法院数、调解不成移送数……）或键（received、on_time……）；比率写成 75.0%，无分母写 —。"


def parse_period(world: World, text: str) -> Period:
    """ "2026-10" (a month), "2026-10-09" (a day), "2026-10-01 至 2026-10-31" (custom)."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = text.split("-")
            return month_of(date(int(year), int(month), 1))
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return day_of(date.fromisoformat(text))
        parts = re.split(r"\s*(?:至|到|to|-{2}|~)\s*", text)
        if len(parts) == 2:
            return custom(date.fromisoformat(parts[0]), date.fromisoformat(parts[1]))
    except (ValueError, PeriodError) as error:
        raise world.fail(
            f"统计期间「{text}」有误：{error}", f"bad period {text!r}: {error}"
        ) from None
    raise world.fail(
        f"统计期间「{text}」看不懂，请写 2026-10、2026-10-09 或 2026-10-01 至 2026-10-31",
        f"cannot read the period {text!r}; write 2026-10, 2026-10-09 or 2026-10-01 to 2026-10-31",
    )


def check_figures(world: World, period: Period, center: str | None, table: list[list[str]]) -> None:
    county = world.need_county()
    if center is not None and center not in county.centers:
        raise world.fail(f"没有中心「{center}」", f"no center {center!r}")
    centers = subtree(county, center) if center else frozenset(county.centers)
    context = Context(versions.county_id(world.db, county.key), period, Scope(county, centers))
    with world.db.connect() as conn:
        found = figures.totals(conn, context)
        found.update(court_figures.totals(conn, context))  # 法院委派数, 司法确认数, …
    known = (*figures.METRICS, *court_figures.METRICS)
    labels = {m.label: m.key for m in known} | {m.key: m.key for m in known}
    wrong = []
    for row in table:
        name, expected = row[0].strip(), row[1].strip()
        if name in ("指标", "figure"):
            continue
        if name not in labels:
            raise world.fail(
                f"没有指标「{name}」（可选：{'、'.join(m.label for m in known)}）",
                f"no figure {name!r} (known: {', '.join(m.key for m in known)})",
            )
        actual = found[labels[name]].display
        if actual != expected:
            figure = found[labels[name]]
            detail = (
                f"{figure.numerator}/{figure.denominator}" if figure.numerator is not None else ""
            )
            wrong.append((name, expected, actual, detail))
    if wrong:
        where = center or county.name
        lines = "；".join(
            f"{n} 期望 {e}，实际 {a}{'（' + d + '）' if d else ''}" for n, e, a, d in wrong
        )
        lines_en = "; ".join(f"{n} expected {e}, got {a} {d}" for n, e, a, d in wrong)
        raise world.fail(
            f"{where} {period.label} 的统计不符：{lines}",
            f"figures for {where}, {period.label} differ: {lines_en}",
        )


@phrase(
    "统计",
    '"{期间}" 的统计为：',
    'the figures for "{period}" are:',
    doc="全县区在该期间（月 2026-10、日 2026-10-09、或 2026-10-01 至 2026-10-31）的统计指标。",
    example_zh='那么 "2026-10" 的统计为：',
    example_en='Then the figures for "2026-10" are:',
    table=TABLE_DOC,
)
def county_figures(world: World, period: str, datatable: list[list[str]]) -> None:
    check_figures(world, parse_period(world, period), None, datatable)


@phrase(
    "统计",
    '"{中心}" 在 "{期间}" 的统计为：',
    'the figures of "{center}" for "{period}" are:',
    doc="某中心及其下级中心在该期间的统计指标。",
    example_zh='那么 "书院街道" 在 "2026-10" 的统计为：',
    example_en='Then the figures of "书院街道" for "2026-10" are:',
    table=TABLE_DOC,
)
def center_figures(world: World, center: str, period: str, datatable: list[list[str]]) -> None:
    check_figures(world, parse_period(world, period), center, datatable)


@phrase(
    "统计",
    '抽取 "{期间}" 办结案件的回访',
    'revisits are drawn for the cases closed in "{period}"',
    doc="按县区定义的回访比例（如 30%）从该期间办结的案件中抽取回访，开出核查单。",
    example_zh='当 抽取 "2026-11" 办结案件的回访',
    example_en='When revisits are drawn for the cases closed in "2026-11"',
)
def draw_revisits(world: World, period: str) -> None:
    chosen = parse_period(world, period)
    county = world.need_county()
    world.drawn = world.need_engine().sample_revisits(county.key, chosen.start_utc, chosen.end_utc)


@phrase(
    "统计",
    "抽中 {数量} 件案件回访",
    "{count} cases are drawn for revisit",
    doc="上一次抽取回访抽中的案件数；只抽中一件时，之后的步骤针对这件案件。",
    example_zh="那么 抽中 1 件案件回访",
    example_en="Then 1 cases are drawn for revisit",
)
def drawn_count(world: World, count: str) -> None:
    if len(world.drawn) != int(count):
        shown = "、".join(world.drawn) or world.say("无", "none")
        raise world.fail(
            f"期望抽中 {count} 件回访，实际抽中 {len(world.drawn)} 件（{shown}）",
            f"expected {count} cases drawn for revisit, {len(world.drawn)} were ({shown})",
        )
    if len(world.drawn) == 1:
        world.current = world.drawn[0]
