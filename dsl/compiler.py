"""Compiling a county: every source file -> one validated `County`, or all of its problems.

Order: parse every `.yd` file (syntax errors stop here, after all files were parsed, because
names in a broken file would otherwise show up as false "undefined" errors); read CSV center
lists and form files; then resolve the organisation, routing and processes, reporting all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lark import Token

from dsl import organisation as org
from dsl import supervision
from dsl import syntax as s
from dsl.context import CALENDAR, FORM, PROCESS, Context
from dsl.court import check_court_link, court_link  # the court link (诉调对接)
from dsl.csvlists import read_centers
from dsl.diagnostics import Diagnostic, sort_key
from dsl.effects import check_effects
from dsl.formfiles import load_forms
from dsl.hashing import content_hash
from dsl.intake import check_intake_form
from dsl.key_persons import key_persons  # 重点人员 (i21persons)
from dsl.letters import letter_kinds
from dsl.model import Calendar, County
from dsl.online import online_intake
from dsl.outcomes import check_outcomes, outcome_meanings
from dsl.parser import parse_file, too_deep
from dsl.prevention import screenings, warning_rules
from dsl.processes import processes
from dsl.response_rules import check_responses
from dsl.rewards import reward_rates
from dsl.routing_rules import calendars, diversions, fallback, routes, routing_gaps
from dsl.staffing import check_staffing

DEFAULT_CALENDAR = "法定工作日"
DEFAULT_COLOURS = ("蓝", "黄", "橙", "红")


@dataclass
class CompileResult:
    county: County | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def _sources(files: Mapping[str, str]) -> list[str]:
    return sorted(p for p in files if p.endswith(".yd"))


def parse_all(files: Mapping[str, str]) -> tuple[list[s.FileSyntax], list[Diagnostic]]:
    parsed, problems = [], []
    for path in _sources(files):
        tree, found = parse_file(path, files[path])
        problems += found
        if tree is not None:
            parsed.append(tree)
    return parsed, problems


def _group(ctx: Context, trees: list[s.FileSyntax], files: Mapping[str, str]) -> dict[type, Any]:
    """Declarations by kind, each with its file; CSV center lists expanded in place."""
    groups: dict[type, list[tuple[str, Any]]] = defaultdict(list)
    for tree in trees:
        for item in tree.items:
            if isinstance(item, s.CenterListDecl):
                csv_path = str(item.file)
                if csv_path not in files:
                    ctx.path = tree.path
                    ctx.known(
                        item.file,
                        [p for p in files if p.endswith(".csv")],
                        ("名单文件", "list file"),
                    )
                    continue
                for center in read_centers(ctx, csv_path, files[csv_path]):
                    groups[s.CenterDecl].append((csv_path, center))
            else:
                groups[type(item)].append((tree.path, item))
    return groups


def compile_files(key: str, files: Mapping[str, str]) -> CompileResult:
    """Compile one county from its files (relative path -> text); never raises on bad input."""
    trees, problems = parse_all(files)
    if not _sources(files):
        problems.append(
            Diagnostic(
                "", 1, 1, "error", "没有找到任何 .yd 定义文件", "no .yd definition file found"
            )
        )
    if problems:
        return CompileResult(None, sorted(problems, key=sort_key))
    ctx = Context(path=_sources(files)[0], home=_sources(files)[0])
    groups = _group(ctx, trees, files)
    try:
        county = _build(ctx, key, groups, files)
    except RecursionError:  # nested categories and conditions are walked recursively
        return CompileResult(None, [too_deep(ctx.home)])
    diagnostics = sorted(ctx.diagnostics, key=sort_key)
    if any(d.severity == "error" for d in diagnostics) or county is None:
        return CompileResult(None, diagnostics)
    return CompileResult(county, diagnostics)


def _header(ctx: Context, groups: dict[type, Any]) -> s.CountyDecl | None:
    headers = groups[s.CountyDecl]
    for path, extra in headers[1:]:
        ctx.path = path
        ctx.report(extra.name, "县区声明只能写一次", "the county header may appear only once")
    if not headers:
        ctx.report(
            None, "缺少县区声明：县区 名称 { … }", "missing the county header", path=ctx.home
        )
        return None
    ctx.path = headers[0][0]
    header: s.CountyDecl = headers[0][1]
    return header


def _organisation(ctx: Context, groups: dict[type, Any]) -> dict[str, Any]:
    t: dict[str, Any] = {}
    t["levels"] = org.levels(ctx, groups[s.LevelsDecl])
    if not t["levels"]:
        ctx.report(
            None, "缺少层级声明，如：层级 县, 镇, 村", "missing levels", path=_first(ctx, groups)
        )
    t["centers"] = org.centers(ctx, groups[s.CenterDecl], t["levels"])
    if not t["centers"]:
        ctx.report(None, "缺少中心声明", "no center is declared", path=_first(ctx, groups))
    t["roles"] = org.roles(ctx, groups[s.RolesDecl])
    t["offices"] = org.offices(ctx, groups[s.OfficeDecl], t)
    t["studios"] = org.studios(ctx, groups[s.StudioDecl], t)
    t["windows"] = org.windows(ctx, groups[s.WindowDecl], t)
    t["categories"] = org.categories(ctx, groups[s.CategoriesDecl])
    t["severities"] = org.severities(ctx, groups[s.SeveritiesDecl])
    t["channels"] = org.channels(ctx, groups[s.ChannelsDecl])
    for name, what in (("categories", "事项类型"), ("severities", "等级"), ("channels", "渠道")):
        if not t[name]:
            ctx.report(None, f"缺少{what}声明", f"no {name} declared", path=_first(ctx, groups))
    return t


def _first(ctx: Context, groups: dict[type, Any]) -> str:
    """The file with the county header, else the first definition file."""
    headers = groups.get(s.CountyDecl) or []
    return str(headers[0][0]) if headers else ctx.home


def _build(
    ctx: Context, key: str, groups: dict[type, Any], files: Mapping[str, str]
) -> County | None:
    header = _header(ctx, groups)
    t = _organisation(ctx, groups)
    t["forms"] = load_forms(ctx, files)
    t["intake_fields"] = _intake_fields(header, t["forms"])
    t["processes"] = {str(p.name): p for _, p in groups[s.ProcessDecl]}
    t["calendars"] = calendars(ctx, groups[s.CalendarDecl])
    if not t["calendars"]:
        t["calendars"] = {DEFAULT_CALENDAR: Calendar(DEFAULT_CALENDAR, "国家法定工作日")}
    t["colours"] = tuple(str(c) for c in (header.colours or [])) if header else ()
    t["colours"] = t["colours"] or DEFAULT_COLOURS
    route_list = routes(ctx, groups[s.RouteDecl], t)
    t["fallback"] = fallback(ctx, groups[s.FallbackDecl], t)
    t["diversions"] = diversions(ctx, groups[s.DiversionDecl], t)
    t["outcomes"] = outcome_meanings(ctx, groups[s.OutcomeDecl])
    t["rewards"] = reward_rates(ctx, groups[s.RewardDecl], t["outcomes"])
    t["supervision"] = supervision.duty(ctx, groups[s.SupervisionDecl], t)  # 督办 (i20super)
    compiled = processes(ctx, groups[s.ProcessDecl], t)
    t["letters"] = letter_kinds(ctx, groups[s.LetterDecl], t)  # 函件 (dsl/letters.py)
    court = court_link(ctx, groups[s.CourtLinkDecl], t)  # the court link (诉调对接)
    # prevention (排查预警): screening rounds and correlated-warning rules
    t["screenings"] = screenings(ctx, groups[s.ScreeningDecl], t)
    t["warning_rules"] = warning_rules(ctx, groups[s.WarningDecl], t)
    t["key_persons"] = key_persons(ctx, groups[s.KeyPersonsDecl], t)  # 重点人员 (i21persons)
    if header is None:
        return None
    ctx.path = _first(ctx, groups)
    defaults = _defaults(ctx, header, t, compiled)
    if defaults is None:
        return None
    county = County(
        key=key,
        name=str(header.name),
        levels=t["levels"],
        centers=t["centers"],
        roles=t["roles"],
        offices=t["offices"],
        studios=t["studios"],
        windows=t["windows"],
        categories=t["categories"],
        severities=t["severities"],
        channels=t["channels"],
        routes=tuple(route_list),
        fallback=t["fallback"],
        diversions=t["diversions"],
        calendars=t["calendars"],
        default_calendar=defaults[1],
        processes=compiled,
        default_process=defaults[0],
        intake_form=str(header.intake),
        forms=t["forms"],
        colours=t["colours"],
        outcomes=t["outcomes"],
        reward_rates=t["rewards"],
        supervision=t["supervision"],
        code_prefix=str(header.code or ""),
        files=dict(sorted(files.items())),
        address=header.address or "",
        phone=header.phone or "",
        letters=t["letters"],
        court=court,
        screenings=t["screenings"],
        warning_rules=t["warning_rules"],
        key_persons=t["key_persons"],
    )
    _gaps(ctx, county, groups)
    check_staffing(ctx, county, groups[s.RouteDecl], groups[s.FallbackDecl])
    check_responses(ctx, county, groups[s.RouteDecl])
    check_effects(ctx, county, groups)
    ctx.path = _first(ctx, groups)
    check_outcomes(ctx, county, groups[s.OutcomeDecl])
    check_court_link(ctx, county, groups[s.CourtLinkDecl])  # the court link (诉调对接)
    supervision.check_links(ctx, county, groups[s.ProcessDecl])  # 督办 links (i20super)
    intake = county.forms.get(county.intake_form)
    if intake is not None and not any(d.path == intake.path for d in ctx.diagnostics):
        text = files.get(intake.path, "")
        check_intake_form(ctx, intake.name, intake.path, text, intake.schema, county.centers)
    if header.online is not None and intake is not None:
        ctx.path = _first(ctx, groups)
        online = online_intake(
            ctx, header.online, intake.name, intake.schema, county.severities, county.channels
        )
        county = replace(county, online=online)
    county = _with_hash(county)
    return county


def _intake_fields(header: s.CountyDecl | None, forms: dict[str, Any]) -> Any:
    """The intake form's schema properties: what `数据.X` in a condition may name (a case's
    data is its intake form; the steps' forms are kept on their tickets)."""
    intake = forms.get(str(header.intake)) if header and header.intake else None
    if intake is None:
        return None
    properties = intake.schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def _defaults(
    ctx: Context, header: s.CountyDecl, t: dict[str, Any], compiled: dict[str, Any]
) -> tuple[str, str] | None:
    if header.intake is None:
        ctx.missing(header.name, "受理表单（受理表单 名称）", "the intake form")
    else:
        ctx.known(header.intake, t["forms"], FORM)
    process = header.default_process
    if process is not None:
        ctx.known(process, t["processes"], PROCESS)
    elif not t["processes"]:
        ctx.missing(header.name, "流程定义", "a process")
        return None
    calendar = header.default_calendar
    if calendar is not None:
        ctx.known(calendar, t["calendars"], CALENDAR)
    default_process = str(process) if process is not None else next(iter(t["processes"]))
    default_calendar = str(calendar) if calendar is not None else next(iter(t["calendars"]))
    if default_process not in compiled:
        return None
    return default_process, default_calendar


def _gaps(ctx: Context, county: County, groups: dict[type, Any]) -> None:
    at: dict[str, tuple[str, Token]] = {}

    def mark(path: str, node: s.CategoryDecl) -> None:
        at.setdefault(str(node.name), (path, node.name))
        for child in node.children:
            mark(path, child)

    for path, decl in groups[s.CategoriesDecl]:
        for item in decl.items:
            mark(path, item)
    severity_at: dict[str, tuple[str, Token]] = {}
    for path, severities in groups[s.SeveritiesDecl]:
        for severity in severities.items:
            severity_at.setdefault(str(severity.name), (path, severity.name))
    routing_gaps(ctx, county, at, severity_at)


def _with_hash(county: County) -> County:
    from dataclasses import replace

    return replace(county, content_hash=content_hash(county))
