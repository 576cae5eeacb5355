"""Attachments of a case: each county has its own content-addressed store outside the web
root (data_dir/attachments/<county>/), so a file is only ever served to the county it was
uploaded to; a download also needs a case the viewer may see that references that file.

Uploads are checked and staged while a form is parsed (`uploads`), and moved into place once
the case or ticket is saved (`Uploads.commit`). `sweep` deletes what no case refers to (files
of forms never saved, staged uploads abandoned); the timer worker runs it every hour."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

import forms
from admin.auth import require_user
from admin.case_page import visible_case
from admin.scope import CASE, TICKET
from admin.web import csrf_token
from engine.registry import County
from forms.routes import download_response

log = logging.getLogger("yidi.attachments")
ROOT = "attachments"
SWEEP_EVERY = 3600.0  # seconds between the worker's sweeps
SWEEP_AGE = 86400.0  # an unreferenced file is deleted once this old (a form being filled keeps it)
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def county_root(data_dir: Path, county: str) -> Path:
    """The county's own folder; a key that is not a plain name is hex-encoded (no path tricks)."""
    name = county if _SAFE_KEY.fullmatch(county) else "x-" + county.encode().hex()
    return Path(data_dir) / ROOT / name


def store(request: Request, county: str) -> forms.AttachmentStore:
    return forms.AttachmentStore(county_root(request.app.state.settings.data_dir, county))


def uploads(request: Request, county: str) -> forms.Uploads:
    """The files of this request's form, bound to the county and to this browser session (its
    CSRF token is the session's secret): a re-rendered form may keep only its own uploads."""
    return forms.Uploads(store(request, county), owner=csrf_token(request) or "no-session")


def _documents(db: Engine, case_ids: Any) -> list[Any]:
    with db.connect() as conn:
        cases = conn.execute(select(CASE.c.data).where(case_ids)).scalars().all()
        tickets = conn.execute(
            select(TICKET.c.data).where(TICKET.c.case_id.in_(select(CASE.c.id).where(case_ids)))
        ).scalars()
        return [d if not isinstance(d, str) else json.loads(d) for d in [*cases, *tickets]]


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
    documents = _documents(db, CASE.c.id == case.id)
    name = next((n for d in documents if d and (n := _references(d, sha256))), None)
    if name is None:
        raise HTTPException(404, "该案件没有这个附件。")
    # The viewer's county's store only: a case can never name another county's file.
    return download_response(store(request, user.county), sha256, name)


def referenced(db: Engine, county_id: int) -> set[str]:
    """Every attachment digest the county's cases and tickets refer to."""
    found: set[str] = set()
    for document in _documents(db, CASE.c.county_id == county_id):
        found |= forms.references(document)
    return found


def sweep(db: Engine, data_dir: Path, older_than: float = SWEEP_AGE) -> int:
    """Sweep every county's store: what none of its cases refers to goes, once old enough."""
    with db.connect() as conn:
        counties = conn.execute(select(County.id, County.code)).all()
    removed = 0
    for county in counties:
        root = county_root(data_dir, county.code)
        if root.is_dir():
            removed += forms.AttachmentStore(root).sweep(referenced(db, county.id), older_than)
    if removed:
        log.info("附件清理：删除了 %d 个无案件引用的文件", removed)
    return removed
