"""预警与排查统计 (/prevention/figures): warnings by grade, source and town, and screening
coverage (rounds done on time ÷ rounds due), for one month, within the user's centers.

The month is local (China Standard Time). Scope: the centers of the user's memberships and
everything below them (an administrator without memberships sees the whole county); the
counts are read from indexed columns (warning: county, opened_at; task: county, due_at).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select
from starlette.requests import Request
from starlette.responses import Response

from admin.auth import StaffUser, require_user
from admin.prevention_pages import service
from admin.scope import county_id, county_model
from admin.web import database_page, read_only, render
from engine import periods, risks
from engine.clock import CST
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.prevention_tables import WARNING
from engine.scope import below

MONTH = re.compile(r"\d{4}-\d{2}")


def _month(text: str, now: datetime) -> tuple[periods.Period, str]:
    """The month asked for (2026-11), else the current one; and a note when it was unreadable."""
    if MONTH.fullmatch(text):
        year, month = int(text[:4]), int(text[5:])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return periods.Period("month", date(year, month, 1)), ""
    current = periods.containing("month", now)
    return current, ("统计月份应写成 2026-11 这样的年-月，已显示本月" if text else "")


def scope_centers(model: Any, user: StaffUser) -> list[str] | None:
    """The centers the user's figures cover; None: the whole county."""
    if user.is_admin and not user.memberships:
        return None
    found: list[str] = []
    for m in user.memberships:
        if m.center in model.centers:
            found.extend(c for c in below(model, m.center) if c not in found)
    return found


def warning_figures(
    conn: Connection, county: int, period: periods.Period, centers: list[str] | None
) -> dict[str, Counter[str]]:
    where = [
        WARNING.c.county_id == county,
        WARNING.c.opened_at >= period.start,
        WARNING.c.opened_at < period.end,
    ]
    if centers is not None:
        where.append(WARNING.c.town.in_(centers) | WARNING.c.center.in_(centers))
    grades: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    towns: Counter[str] = Counter()
    for grade, town, by_channel in conn.execute(
        select(WARNING.c.grade, WARNING.c.town, WARNING.c.sources).where(*where)
    ).all():
        grades[grade] += 1
        towns[town] += 1
        for channel in by_channel or {}:
            sources[channel] += 1  # a warning counts once for each channel it was seen on
    return {"grades": grades, "sources": sources, "towns": towns}


def coverage_rows(
    conn: Connection,
    county: int,
    period: periods.Period,
    centers: list[str] | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Per screening: rounds due in the month (by now), done on time, late, missed."""
    until = min(period.end, now)
    where = [TASK.c.county_id == county, TASK.c.due_at > period.start, TASK.c.due_at <= until]
    if centers is not None:
        where.append(TASK.c.center.in_(centers))
    on_time = and_(TASK.c.state == "done", TASK.c.done_at <= TASK.c.due_at)
    late = and_(TASK.c.state == "done", TASK.c.done_at > TASK.c.due_at)
    rows = conn.execute(
        select(
            TASK.c.screening,
            func.count(),
            func.count().filter(on_time),
            func.count().filter(late),
            func.count().filter(TASK.c.state == "open"),
        )
        .where(*where)
        .group_by(TASK.c.screening)
        .order_by(TASK.c.screening)
    ).all()
    return [
        {
            "screening": name,
            "due": int(due),
            "on_time": int(ok),
            "late": int(late_n),
            "missed": int(missed),
            "rate": f"{ok / due:.1%}" if due else "—",
        }
        for name, due, ok, late_n, missed in rows
    ]


@database_page
def figures_page(request: Request) -> Response:
    user = require_user(request)
    db = request.app.state.db
    model = county_model(db, user.county)
    county = county_id(db, user.county)
    now = service(request).clock.now()
    period, note = _month(request.query_params.get("month", ""), now)
    context: dict[str, Any] = {
        "title": "预警与排查统计",
        "tab": "figures",
        "month": f"{period.first:%Y-%m}",
        "label": period.label,
        "note": note,
        "warnings": {"grades": [], "sources": [], "towns": []},
        "coverage": [],
        "risks": [],
    }
    if model is not None and county is not None:
        centers = scope_centers(model, user)
        with read_only(db).connect() as conn:
            found = warning_figures(conn, county, period, centers)
            rows = coverage_rows(conn, county, period, centers, now)
            context["risks"] = risks.open_by_grade(conn, model, county, centers)
        channel_names = {k: c.name for k, c in model.channels.items()}
        scale = [c for c in reversed(model.colours)]
        context["warnings"] = {
            "grades": [(g, found["grades"][g]) for g in scale if found["grades"][g]],
            "sources": [(channel_names.get(k, k), n) for k, n in found["sources"].most_common()],
            "towns": [(model.centers[k].name if k in model.centers else k, n)
                      for k, n in found["towns"].most_common()],
        }  # fmt: skip
        for row in rows:
            item = model.screenings.get(row["screening"])
            row["name"] = item.name if item else row["screening"]
        context["coverage"] = rows
        context["total"] = sum(found["grades"].values())
    context["local_now"] = f"{now.astimezone(CST):%Y-%m-%d %H:%M}"
    return render(request, "prevention_figures.html", context)
