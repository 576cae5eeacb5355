"""Routes, the fallback, diversions and calendars: checked against the organisation."""

from __future__ import annotations

from datetime import date

from lark import Token

from dsl import syntax as s
from dsl.context import CALENDAR, CATEGORY, LEVEL, OFFICE, PROCESS, SEVERITY, TAG, WINDOW, Context
from dsl.model import Calendar, County, Diversion, Fallback, Office, Route
from dsl.organisation import Located, walk
from dsl.routing import category_matches
from dsl.values import duration

Tables = dict[str, dict[str, object]]


def stationed_at_level(office: Office, level: str, centers: dict[str, object]) -> bool:
    if level in office.levels:
        return True
    return any(getattr(centers.get(c), "level", None) == level for c in office.centers)


def routes(ctx: Context, decls: Located[s.RouteDecl], tables: Tables) -> list[Route]:
    found = []
    all_tags = {t for c in tables["centers"].values() for t in getattr(c, "tags", ())}
    for decl in walk(ctx, decls):
        for category in decl.categories:
            ctx.known(category, tables["categories"], CATEGORY)
        for severity in decl.severities:
            ctx.known(severity, tables["severities"], SEVERITY)
        for tag in decl.tags:
            ctx.known(tag, all_tags, TAG)
        level_ok = ctx.known(decl.level, tables["levels"], LEVEL)
        office_ok = ctx.known(decl.office, tables["offices"], OFFICE)
        if decl.process is not None:
            ctx.known(decl.process, tables["processes"], PROCESS)
        office = tables["offices"].get(decl.office)
        placed = isinstance(office, Office) and stationed_at_level(
            office, decl.level, tables["centers"]
        )
        if level_ok and office_ok and not placed:
            ctx.report(
                decl.office,
                f"单位「{decl.office}」没有入驻{decl.level}级中心，不能在{decl.level}级承办",
                f"office '{decl.office}' is not stationed at level '{decl.level}'",
            )
        response = duration(ctx, decl.response) if decl.response else None
        found.append(
            Route(
                tuple(str(c) for c in decl.categories),
                tuple(str(x) for x in decl.severities),
                tuple(str(t) for t in decl.tags),
                str(decl.level),
                str(decl.office),
                str(decl.process) if decl.process else None,
                response,
                str(decl.response_mode or ""),
                decl.at.line or 0,
            )
        )
    return found


def fallback(ctx: Context, decls: Located[s.FallbackDecl], tables: Tables) -> Fallback | None:
    result = None
    for decl in walk(ctx, decls):
        if result is not None:
            ctx.report(decl.at, "兜底只能写一次", "only one fallback is allowed")
            continue
        if decl.window is None or decl.office is None:
            ctx.missing(decl.at, "兜底的窗口或单位", "the fallback's window or office")
            continue
        if ctx.known(decl.window, tables["windows"], WINDOW):
            window = tables["windows"][decl.window]
            if not getattr(window, "universal", False):
                ctx.report(
                    decl.window,
                    f"兜底窗口「{decl.window}」须是综合受理窗口",
                    f"fallback window '{decl.window}' must be a universal intake window",
                )
        ctx.known(decl.office, tables["offices"], OFFICE)
        if decl.level is not None:
            ctx.known(decl.level, tables["levels"], LEVEL)
        result = Fallback(str(decl.window), str(decl.office), str(decl.level or "") or None)
    return result


def diversions(
    ctx: Context, decls: Located[s.DiversionDecl], tables: Tables
) -> dict[str, Diversion]:
    found: dict[str, Diversion] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, ("引导去向", "diversion")):
            continue
        for category in decl.categories:
            ctx.known(category, tables["categories"], CATEGORY)
        found[str(decl.name)] = Diversion(
            str(decl.name),
            str(decl.label or decl.name),
            str(decl.target),
            tuple(str(c) for c in decl.categories),
            decl.outcome_required,
        )
    return found


def _day(ctx: Context, token: Token) -> date | None:
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in str(token).split("-")))
    except ValueError:
        ctx.report(token, f"无效的日期「{token}」", f"invalid date '{token}'")
        return None


def _days(ctx: Context, spans: list[tuple[Token, Token | None]]) -> frozenset[date]:
    days: set[date] = set()
    for first_token, last_token in spans:
        first = _day(ctx, first_token)
        last = _day(ctx, last_token) if last_token is not None else first
        if first is None or last is None:
            continue
        if last < first or (last - first).days > 366:
            ctx.report(first_token, "日期区间无效", "invalid date range")
            continue
        days.update(date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1))
    return frozenset(days)


def _clock(ctx: Context, token: Token) -> tuple[int, int] | None:
    hours, minutes = (int(p) for p in str(token).split(":"))
    if hours > 23 or minutes > 59:
        ctx.report(token, f"无效的时刻「{token}」", f"invalid time '{token}'")
        return None
    return (hours, minutes)


def calendars(ctx: Context, decls: Located[s.CalendarDecl]) -> dict[str, Calendar]:
    found: dict[str, Calendar] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, CALENDAR):
            continue
        start, end = (8, 30), (17, 30)
        if decl.hours is not None:
            start = _clock(ctx, decl.hours[0]) or start
            end = _clock(ctx, decl.hours[1]) or end
            if end <= start:
                ctx.report(
                    decl.hours[0], "下班时间须晚于上班时间", "the day must end after it starts"
                )
        holidays, workdays = _days(ctx, decl.holidays), _days(ctx, decl.workdays)
        for day in sorted(holidays & workdays):
            ctx.report(
                decl.name,
                f"{day} 既是放假日又是调休上班日",
                f"{day} is both a holiday and a make-up working day",
            )
        found[str(decl.name)] = Calendar(
            str(decl.name), str(decl.label or decl.name), holidays, workdays, start, end
        )
    return found


def routing_gaps(
    ctx: Context,
    county: County,
    at: dict[str, tuple[str, Token]],
    severity_at: dict[str, tuple[str, Token]] | None = None,
) -> None:
    """Warn about each category x severity that no route (without location tags) covers.

    A severity no category can be routed at is one slip (a missing `分派 等级 X` rule): it is
    one warning at the severity, not one per category."""
    if county.fallback is not None:
        return
    missing_of = {
        category: [
            severity
            for severity in county.severities
            if not any(
                not r.location_tags
                and (not r.severities or severity in r.severities)
                and category_matches(county, r.categories, category)
                for r in county.routes
            )
        ]
        for category in county.categories
    }
    severity_at = severity_at or {}
    everywhere = [
        severity
        for severity in county.severities
        if missing_of
        and all(severity in m for m in missing_of.values())
        and severity in severity_at
    ]
    for severity in everywhere:
        ctx.path, token = severity_at[severity]
        ctx.warn(
            token,
            f"等级「{severity}」没有任何分派规则（哪个事项类型都分派不到），也没有兜底",
            f"severity '{severity}' has no route for any category and no fallback",
        )
    for category, all_missing in missing_of.items():
        missing = [m for m in all_missing if m not in everywhere]
        if missing and category in at:
            ctx.path, token = at[category]
            ctx.warn(
                token,
                f"事项「{category}」在等级 {'、'.join(missing)} 下没有分派规则，也没有兜底",
                f"category '{category}' has no route for {', '.join(missing)} and no fallback",
            )
