"""The 「回告地址」 part of the 回告推送 page: where each of the county's API keys has its replies
sent (engine/outbox.py). An administrator registers or changes a key's callback URL here, as
`yidi apikey callback` does on the command line; every change is in 操作记录 (the signing
secret never is: it is shown once on the page, for the receiving system)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.accounts import KEYS
from admin.console import store
from admin.console.page import require_admin
from admin.console.replies import replies_page
from admin.limits import form_of
from engine import outbox
from engine.db import writer
from forms.integers import parse_int


def keys_of(db: Engine, county: str) -> list[dict[str, Any]]:
    """The county's API keys with their callback URL ("" when they poll instead)."""
    query = (
        select(KEYS.c.id, KEYS.c.system, KEYS.c.prefix, KEYS.c.active, outbox.CALLBACKS.c.url)
        .outerjoin(outbox.CALLBACKS, outbox.CALLBACKS.c.api_key_id == KEYS.c.id)
        .where(KEYS.c.county == county)
        .order_by(KEYS.c.id)
    )
    with db.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {"id": r.id, "system": r.system, "prefix": r.prefix, "active": r.active, "url": r.url or ""}
        for r in rows
    ]


async def callback_save(request: Request) -> Response:
    """Register or change one key's callback URL (CSRF: the middleware, as every POST)."""

    user = require_admin(request)
    db = request.app.state.db
    form = await form_of(request)
    key_id = parse_int(str(form.get("key", "")), 1, 2**31 - 1)
    url = str(form.get("url", ""))
    rotate = form.get("rotate") == "1"
    with db.connect() as conn:
        key = (
            None
            if key_id is None
            else conn.execute(
                select(KEYS.c.id, KEYS.c.system, KEYS.c.prefix).where(
                    KEYS.c.id == key_id, KEYS.c.county == user.county
                )
            ).first()
        )
    if key is None:  # another county's key is not confirmed to exist
        raise HTTPException(404, "没有这个 API 密钥。")
    try:
        url = outbox.checked_url(url)
    except ValueError as error:
        problem = {"key": key.id, "message": str(error), "typed": url}
        return await replies_page(request, status=422, problem=problem)
    with writer(db).begin() as conn:
        before = outbox.callback_of(conn, key.id)
        secret = outbox.register_callback(conn, key.id, url, new_secret=rotate or before is None)
        store.record(
            conn,
            user.county,
            user.username,
            "登记回告地址" if before is None else "修改回告地址",
            f"{key.system}（密钥 {key.prefix}…）",
            None if before is None else {"回告地址": before},
            {"回告地址": url, "签名密钥": "已更换" if secret else "未变"},
        )
    if before is None:
        done = f"已为「{key.system}」登记回告地址。"
    else:
        done = f"已修改「{key.system}」的回告地址，尚未送达的回告将发往新地址。"
    return await replies_page(request, done=done, secret=secret or "", secret_for=key.system)
