"""Attachments of a case: stored by forms' content-addressed store outside the web root,
downloaded only through the case's scope and only when the case references that file."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import forms
from admin.auth import require_user
from admin.case_page import visible_case
from admin.scope import TICKET
from forms.routes import download_response


def store(request: Request) -> forms.AttachmentStore:
    app = request.app
    found = getattr(app.state, "attachments", None)
    if found is None:
        found = forms.AttachmentStore(app.state.settings.data_dir / "attachments")
        app.state.attachments = found
    return found


def _references(value: Any, sha256: str) -> str | None:
    """The file name under which `value` (form data, any depth) references the digest."""
    if isinstance(value, dict):
        if value.get("sha256") == sha256:
            return str(value.get("filename") or "附件")
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = _references(item, sha256)
        if found:
            return found
    return None


async def download(request: Request) -> Response:
    user = require_user(request)
    db = request.app.state.db
    case = visible_case(db, user, request.path_params["code"])
    sha256 = request.path_params["sha256"]
    if case is None:
        raise HTTPException(404, "没有该编号的案件，或该案件不在您的工作范围内。")
    with db.connect() as conn:
        ticket_data = (
            conn.execute(select(TICKET.c.data).where(TICKET.c.case_id == case.id)).scalars().all()
        )
    documents = [case.data, *[d if not isinstance(d, str) else json.loads(d) for d in ticket_data]]
    name = next((n for d in documents if (n := _references(d, sha256))), None)
    if name is None:
        raise HTTPException(404, "该案件没有这个附件。")
    return download_response(store(request), sha256, name)
