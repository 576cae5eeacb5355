"""Views generated from a compiled county (dsl.model.County): pure functions, no HTTP.

The organisation tree, the routing table with its gaps, the deadline table and the year's
calendar are all read off the compiled definition, so what the administrator sees is exactly
what the engine will run.
"""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dsl.model import County, Deadline, Duration, Route
from dsl.routing import category_matches, office_stationed_at

STATIONING = {"resident": "常驻", "rotating": "轮驻", "on_call": "随叫随驻"}
WEEKDAYS = "一二三四五六日"
UNITS = {
    "minute": "分钟",
    "hour": "小时",
    "day": "天",
    "workday": "个工作日",
    "month": "个月",
}


def duration_text(d: Duration | None) -> str:
    if d is None:
        return "—"
    if d.unit == "end_of_workday":
        return "当日下班前" if d.amount == 0 else f"{d.amount} 个工作日后下班前"
    return f"{d.amount} {UNITS[d.unit]}"


# --- organisation tree ----------------------------------------------------------------------


@dataclass
class OfficeHere:
    key: str
    name: str
    stationing: str
    kind: str


@dataclass
class TreeNode:
    key: str
    name: str
    level: str
    tags: list[str]
    offices: list[OfficeHere]
    windows: list[str]
    children: list[TreeNode] = field(default_factory=list)


def stationing_text(county: County, office: str) -> str:
    s = county.offices[office].stationing
    text = STATIONING.get(s.mode, s.mode)
    if s.mode == "rotating" and s.weekdays:
        text += "（" + "、".join("周" + WEEKDAYS[d - 1] for d in s.weekdays) + "）"
    return text


def _node(county: County, key: str) -> TreeNode:
    center = county.centers[key]
    offices = [
        OfficeHere(o.key, o.name, stationing_text(county, o.key), o.kind)
        for o in county.offices.values()
        if office_stationed_at(county, o.key, key)
    ]
    windows = [
        w.name + ("（无差别综合受理）" if w.universal else "")
        for w in county.windows.values()
        if key in w.centers or center.level in w.levels
    ]
    level = county.levels[center.level].name if center.level in county.levels else center.level
    return TreeNode(key, center.name, level, sorted(center.tags), offices, windows)


def org_tree(county: County) -> list[TreeNode]:
    nodes = {key: _node(county, key) for key in county.centers}
    roots = []
    for key, center in county.centers.items():
        if center.parent is None or center.parent not in nodes:
            roots.append(nodes[key])
        else:
            nodes[center.parent].children.append(nodes[key])
    return roots


def stationing_counts(county: County) -> dict[str, int]:
    """How many offices are stationed in each mode (centers report these numbers)."""
    counts = dict.fromkeys(STATIONING.values(), 0)
    for office in county.offices.values():
        counts[STATIONING.get(office.stationing.mode, office.stationing.mode)] += 1
    return counts


# --- routing table --------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteCell:
    text: str
    kind: str  # "route" | "fallback" | "gap"
    line: int = 0
    special: tuple[str, ...] = ()  # routes that apply only at tagged places (海岛 ...)


def _route_text(county: County, r: Route) -> str:
    level = county.levels[r.level].name if r.level in county.levels else r.level
    text = f"{level} · {county.offices[r.office].name if r.office in county.offices else r.office}"
    if r.process:
        text += f" · {r.process}"
    if r.response is not None:
        text += f"（{r.response_mode or '响应'} {duration_text(r.response)}）"
    return text


def route_cell(county: County, category: str, severity: str) -> RouteCell:
    """The first route without place tags decides; tagged routes before it are listed."""
    special = []
    for r in county.routes:
        if r.severities and severity not in r.severities:
            continue
        if not category_matches(county, r.categories, category):
            continue
        if r.location_tags:
            special.append("、".join(r.location_tags) + "：" + _route_text(county, r))
            continue
        return RouteCell(_route_text(county, r), "route", r.line, tuple(special))
    if county.fallback is not None:
        window = county.fallback.window
        name = county.windows[window].name if window in county.windows else window
        return RouteCell(f"兜底：{name}", "fallback", 0, tuple(special))
    return RouteCell("未配置", "gap", 0, tuple(special))


@dataclass
class RoutingTable:
    severities: list[str]
    rows: list[tuple[str, str, list[RouteCell]]]  # category key, label, one cell per severity

    @property
    def gaps(self) -> int:
        return sum(1 for _, _, cells in self.rows for c in cells if c.kind == "gap")


def routing_table(county: County) -> RoutingTable:
    severities = sorted(county.severities.values(), key=lambda s: s.rank)
    rows = []
    for key, category in county.categories.items():
        depth, parent = 0, category.parent
        while parent is not None and parent in county.categories and depth < 10:
            depth, parent = depth + 1, county.categories[parent].parent
        label = "　" * depth + category.name
        rows.append((key, label, [route_cell(county, key, s.key) for s in severities]))
    return RoutingTable([s.name for s in severities], rows)


# --- deadlines ------------------------------------------------------------------------------


@dataclass
class DeadlineTable:
    process: str
    step: str  # "" for the whole case
    rows: list[tuple[str, list[str]]]  # severity name, one text per level
    stages: list[str]


def stage_text(county: County, stage: Any) -> str:
    if stage.fraction is not None:
        when = f"用时 {round(stage.fraction * 100)}% 时"
    else:
        when = (
            "超期时"
            if not stage.after_due or not stage.after_due.amount
            else (f"超期 {duration_text(stage.after_due)} 后")
        )
    effects = []
    for e in stage.effects:
        if e.kind == "remind":
            effects.append(f"提醒{e.role}")
        elif e.kind == "colour":
            effects.append(f"亮{e.colour}灯")
        elif e.kind == "supervise":
            effects.append(f"{e.at_level}{e.role}督办")
        else:
            effects.append("提级")
    return when + "：" + "、".join(effects)


def _table(county: County, process: str, step: str, rule: Deadline) -> DeadlineTable:
    levels = sorted(county.levels.values(), key=lambda lv: lv.rank)
    severities = sorted(county.severities.values(), key=lambda s: s.rank)
    rows = [
        (s.name, [duration_text(rule.allowed(s.key, lv.key)) for lv in levels]) for s in severities
    ]
    return DeadlineTable(process, step, rows, [stage_text(county, st) for st in rule.stages])


def deadline_tables(county: County) -> tuple[list[str], list[DeadlineTable]]:
    levels = [lv.name for lv in sorted(county.levels.values(), key=lambda lv: lv.rank)]
    tables = []
    for process in county.processes.values():
        if process.case_deadline is not None:
            tables.append(_table(county, process.name, "", process.case_deadline))
        for step in process.steps.values():
            if step.deadline is not None:
                tables.append(_table(county, process.name, step.name, step.deadline))
    return levels, tables


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    kind: str  # workday | weekend | holiday | makeup | local-holiday | local-workday
    label: str  # holiday name or ""


def day_kind(work: Any, day: date) -> Day:
    from engine import national_calendar

    model = work.model
    if day in model.extra_holidays:
        return Day(day, "local-holiday", "本地休息日")
    if day in model.extra_workdays:
        return Day(day, "local-workday", "本地补班")
    weekend = day.isoweekday() > 5
    found = national_calendar.current().detail(day)
    if found is None:
        return Day(day, "weekend" if weekend else "workday", "")
    if not found.working:
        return Day(day, "holiday", found.name)
    if weekend:
        # A weekend the national schedule counts as a working day is a make-up day (调休).
        return Day(day, "makeup", f"{found.name}调休上班" if found.name else "调休上班")
    return Day(day, "workday", "")


@dataclass
class Month:
    number: int
    weeks: list[list[Day | None]]


def year_calendar(county: County, year: int, key: str = "") -> tuple[bool, list[Month]]:
    """(national holidays known for the year, twelve months of weeks Monday first)."""
    from engine.calendar import calendar_for

    work = calendar_for(county, key)
    months = []
    for number in range(1, 13):
        weeks = [
            [day_kind(work, d) if d.month == number else None for d in week]
            for week in stdcal.Calendar().monthdatescalendar(year, number)
        ]
        months.append(Month(number, weeks))
    return work.covers(year), months
