"""The 「回告推送」 page: replies to the systems that pushed cases in (engine/outbox.py), newest
first, with their state, attempts and last error; an administrator retries a failed one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.accounts import KEYS
from admin.console import store
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


async def replies_page(
    request: Request, notice: str = "", status: int = 200, **shown: Any
) -> Response:
    """The deliveries and the county's callback URLs; `shown`: what a POST answers with (its
    error next to the key's form, or what was done and a new signing secret, once)."""
    from admin.console.callbacks import keys_of  # in here: callbacks imports this module

    user = require_admin(request)
    db = request.app.state.db
    county = county_id(db, user.county)
    values = {
        "title": "回告推送",
        "rows": deliveries(request, county),
        "notice": notice,
        "keys": keys_of(db, user.county),
        **shown,
    }
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
        # the row as it was, for 操作记录 (read in the retry's transaction: they commit together)
        was = conn.execute(
            select(outbox.OUTBOX, CASE.c.code)
            .join(CASE, CASE.c.id == outbox.OUTBOX.c.case_id)
            .where(outbox.OUTBOX.c.id == reply, outbox.OUTBOX.c.county_id == county)
        ).first()
        done = outbox.retry(conn, reply, county, utcnow())
        if done and was is not None:
            store.record(
                conn,
                user.county,
                user.username,
                "重试回告推送",
                f"回告推送第 {reply} 条（案件 {was.code}，{KINDS.get(was.kind, was.kind)}）",
                {"状态": STATES["failed"], "尝试次数": was.attempts, "最近错误": was.last_error},
                {"状态": STATES["pending"], "尝试次数": 0},
            )
    if not done:
        return await replies_page(request, "只有本县区发送失败的回告推送可以重试。", 409)
    return RedirectResponse("/console/replies?retried=1", status_code=303)
