"""The 「回告推送」 page: replies to the systems that pushed cases in (engine/outbox.py), newest
first, with their state, attempts and last error; an administrator retries a failed one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.accounts import KEYS
from admin.console.page import render, require_admin
from admin.limits import form_of
from admin.scope import CASE, county_id
from engine import outbox
from engine.db import utcnow, writer
from forms.integers import parse_int

SHOWN = 200  # the newest replies; older ones are in the database
STATES = {"pending": "待发送", "delivered": "已送达", "failed": "失败"}
KINDS = {"case.status": "状态变化", "case.closed": "办结答复", "case.evaluated": "评价结果"}


def deliveries(request: Request, county: int | None) -> list[dict[str, Any]]:
    o, c, k = outbox.OUTBOX, outbox.CALLBACKS, KEYS
    query = (
        select(o, CASE.c.code, c.c.url, k.c.system)
        .join(CASE, CASE.c.id == o.c.case_id)
        .join(c, c.c.id == o.c.callback_id)
        .join(k, k.c.id == c.c.api_key_id)
        .where(o.c.county_id == county)
        .order_by(o.c.id.desc())
        .limit(SHOWN)
    )
    with request.app.state.db.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "code": r.code,
            "system": r.system,
            "url": r.url,
            "kind": KINDS.get(r.kind, r.kind),
            "state": r.state,
            "state_label": STATES.get(r.state, r.state),
            "attempts": r.attempts,
            "created_at": r.created_at,
            "next_attempt_at": r.next_attempt_at if r.state == "pending" else None,
            "delivered_at": r.delivered_at,
            "last_error": r.last_error or "",
        }
        for r in rows
    ]


async def replies_page(request: Request, notice: str = "", status: int = 200) -> Response:
    user = require_admin(request)
    county = county_id(request.app.state.db, user.county)
    values = {"title": "回告推送", "rows": deliveries(request, county), "notice": notice}
    return render(request, "console/replies.html", values, status)


async def replies_retry(request: Request) -> Response:
    user = require_admin(request)
    db = request.app.state.db
    form = await form_of(request)
    reply = parse_int(str(form.get("id", "")), 1, 2**62)
    county = county_id(db, user.county)
    if reply is None or county is None:
        raise HTTPException(404, "没有这条回告推送。")
    with writer(db).begin() as conn:
        done = outbox.retry(conn, reply, county, utcnow())
    if not done:
        return await replies_page(request, "只有本县区发送失败的回告推送可以重试。", 409)
    return RedirectResponse("/console/replies?retried=1", status_code=303)
