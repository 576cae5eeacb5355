"""The generated views' pages: organisation, routing, processes, deadlines, calendar.

They show the working copy (drafts included) when it compiles, so an administrator sees the
effect of an edit before publishing; otherwise the published version, with a warning.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from admin.console import overview, store
from admin.console.checking import check
from admin.console.page import render, require_admin
from admin.letter_pages import kind_rows
from admin.scope import county_model
from forms.integers import parse_int


def _model(request: Request, county: str) -> tuple[Any, str]:
    db = request.app.state.db
    files = store.working_files(db, county)
    if files:
        result = check(county, files)
        if result.ok:
            drafted = bool(store.drafts(db, county))
            return result.county, "工作副本（含未发布的草稿）" if drafted else "已发布版本"
    model = county_model(db, county)
    if model is not None:
        return model, "已发布版本（工作副本有错误，暂不能显示草稿的效果）"
    return None, ""


def _page(request: Request, template: str, title: str, build: Any) -> Response:
    user = require_admin(request)
    model, source = _model(request, user.county)
    values: dict[str, Any] = {"title": title, "model": model, "source": source}
    if model is not None:
        values.update(build(model))
    return render(request, template, values)


async def org(request: Request) -> Response:
    return _page(
        request,
        "console/org.html",
        "组织架构",
        lambda m: {
            "tree": overview.org_tree(m),
            "counts": overview.stationing_counts(m),
            "levels": sorted(m.levels.values(), key=lambda lv: lv.rank),
        },
    )


async def routing(request: Request) -> Response:
    return _page(
        request, "console/routing.html", "分流规则", lambda m: {"table": overview.routing_table(m)}
    )


async def deadlines(request: Request) -> Response:
    def build(m: Any) -> dict[str, Any]:
        levels, tables = overview.deadline_tables(m)
        return {"levels": levels, "tables": tables}

    return _page(request, "console/deadlines.html", "时限", build)


def _year(request: Request) -> int:
    today = date.today().year
    found = parse_int(request.query_params.get("year", ""), today - 5, today + 5)
    return today if found is None else found


async def year_calendar(request: Request) -> Response:
    year = _year(request)
    from engine import national_calendar

    with request.app.state.db.connect() as conn:  # an import elsewhere shows at once
        national_calendar.refresh(conn)

    def build(m: Any) -> dict[str, Any]:
        key = request.query_params.get("calendar", "")
        key = key if key in m.calendars else m.default_calendar
        known, months = overview.year_calendar(m, year, key)
        return {
            "year": year,
            "known": known,
            "months": months,
            "calendar_key": key,
            "calendars": m.calendars,
        }

    return _page(request, "console/calendar.html", f"{year} 年日历", build)


def process_svg(model: Any, process: str) -> Markup:
    """The language's own diagram (the SVG `yidi graph` writes; the dsl escapes its labels)."""
    from dsl.graph import process_svg as draw

    return Markup(draw(model.processes[process]))


def court_rows(model: Any) -> list[tuple[str, str]] | None:
    from admin.console.court_view import court_rows as rows

    return rows(model)


def outcome_rows(model: Any) -> list[tuple[str, str]]:
    """Each outcome an action records, with the meaning the figures count it as."""
    from dsl.outcomes import meaning_label, recorded_outcomes

    names = list(recorded_outcomes(model))
    names += [n for n in model.outcomes if n not in names]
    return [
        (name, meaning_label(model.outcomes[name]) if name in model.outcomes else "")
        for name in names
    ]


def letter_kind_rows(model: Any) -> list[dict[str, str]]:

    return kind_rows(model)


async def processes(request: Request) -> Response:
    def build(m: Any) -> dict[str, Any]:
        return {
            "diagrams": [(p.key, p.name, process_svg(m, p.key)) for p in m.processes.values()],
            "outcomes": outcome_rows(m),
            "letter_kinds": letter_kind_rows(m),  # 函件 (admin/letter_pages.py)
            "court": court_rows(m),  # the court link (诉调对接)
        }

    return _page(request, "console/processes.html", "流程图", build)
