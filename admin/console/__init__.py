"""The county administrator's console (配置台), mounted at /console."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

import admin.ids  # noqa: F401  registers the {name:id} path convertor used below
from admin.console import (
    accounts,
    files,
    formpages,
    holidays,
    importpages,
    versionpages,
    viewpages,
)
from admin.console.callbacks import callback_save
from admin.console.jobs import jobs_page
from admin.console.page import render, require_admin
from admin.console.replies import replies_page, replies_retry
from admin.console.store import AuditEntry, audit_trail


async def home(request: Request) -> Response:
    require_admin(request)
    return render(request, "console/home.html", {"title": "配置台"})


def _summary(entry: AuditEntry) -> str:
    def show(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=1)[:3000]

    return f"之前：{show(entry.before)}\n之后：{show(entry.after)}"


async def audit(request: Request) -> Response:
    user = require_admin(request)
    entries = audit_trail(request.app.state.db, user.county)
    return render(
        request,
        "console/audit.html",
        {"title": "操作记录", "entries": entries, "summary": _summary},
    )


def routes() -> list[BaseRoute]:
    get, post = ["GET"], ["POST"]
    return [
        Route("/", home, methods=get),
        Route("/files", files.file_list, methods=get),
        Route("/files/edit", files.edit_page, methods=get),
        Route("/files/check", files.check_draft, methods=post),
        Route("/files/save", files.save, methods=post),
        Route("/files/discard", files.discard, methods=post),
        Route("/files/new", files.new_file, methods=post),
        Route("/views/org", viewpages.org, methods=get),
        Route("/views/routing", viewpages.routing, methods=get),
        Route("/views/processes", viewpages.processes, methods=get),
        Route("/views/deadlines", viewpages.deadlines, methods=get),
        Route("/views/calendar", viewpages.year_calendar, methods=get),
        Route("/forms", formpages.form_list, methods=get),
        Route("/forms/preview", formpages.preview, methods=["GET", "POST"]),
        Route("/import", importpages.import_page, methods=get),
        Route("/import/preview", importpages.preview, methods=post),
        Route("/import/apply", importpages.apply, methods=post),
        Route("/versions", versionpages.versions_page, methods=get),
        Route("/versions/confirm", versionpages.confirm, methods=post),
        Route("/versions/publish", versionpages.publish, methods=post),
        Route("/versions/migrate", versionpages.migration, methods=["GET", "POST"]),
        Route("/accounts", accounts.account_list, methods=get),
        Route("/accounts", accounts.account_create, methods=post),
        Route("/accounts/{user_id:id}", accounts.account_detail, methods=get),
        Route("/accounts/{user_id:id}", accounts.account_change, methods=post),
        Route("/audit", audit, methods=get),
        Route("/holidays", holidays.holidays_page, methods=get),
        Route("/holidays/import", holidays.import_holidays, methods=post),
        Route("/jobs", jobs_page, methods=get),
        Route("/replies", replies_page, methods=get),
        Route("/replies/retry", replies_retry, methods=["POST"]),
        Route("/replies/callback", callback_save, methods=["POST"]),  # i18gaps
    ]
