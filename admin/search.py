"""Search by case code, party name or phone number, always inside the user's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, exists, or_, select
from starlette.requests import Request
from starlette.responses import Response

from admin.auth import StaffUser, require_user
from admin.case_page import PARTY
from admin.scope import CASE, case_clause, county_id
from admin.web import database_page, render

LIMIT = 100


def search_cases(db: Engine, user: StaffUser, text: str) -> list[Any]:
    text = text.strip()
    county = county_id(db, user.county)
    if not text or county is None:
        return []
    party_match = exists().where(
        PARTY.c.case_id == CASE.c.id,
        or_(PARTY.c.name == text, PARTY.c.phone == text),
    )
    query = (
        select(
            CASE.c.code,
            CASE.c.title,
            CASE.c.category,
            CASE.c.status,
            CASE.c.center,
            CASE.c.received_at,
            CASE.c.step,
        )
        .where(CASE.c.county_id == county, case_clause(db, user))
        .where(or_(CASE.c.code == text.upper(), party_match))
        .order_by(CASE.c.received_at.desc())
        .limit(LIMIT)
    )
    with db.connect() as conn:
        return list(conn.execute(query).all())


@database_page
def search(request: Request) -> Response:
    user = require_user(request)
    text = request.query_params.get("q", "")[:100]
    rows = search_cases(request.app.state.db, user, text)
    return render(request, "search.html", {"q": text, "rows": rows, "title": "查询"})
