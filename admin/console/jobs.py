"""The 「定时任务」 page: each periodic job of the administrator's county (engine/scheduler.py),
with its last run (when, and what it did or the error) and its next run."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from admin.console.page import render, require_admin
from admin.workflow import workflow
from engine import scheduler
from engine.errors import EngineError


async def jobs_page(request: Request) -> Response:
    user = require_admin(request)
    now = workflow(request).clock.now()
    try:
        jobs = scheduler.schedule_of(request.app.state.db, user.county, now)
    except EngineError:  # nothing published yet: no definition, so no jobs
        jobs = None
    return render(request, "console/jobs.html", {"title": "定时任务", "jobs": jobs})
