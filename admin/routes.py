"""The web application's routes (workbench, citizen pages, API, console, dashboards)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

import admin.ids  # noqa: F401  registers the {name:id} path convertor used below
from admin import (
    act,
    api,
    attachments,
    case_library,
    case_page,
    case_supervision,
    case_visits,
    citizen,
    console,
    dashboards,
    inbox,
    intake,
    letter_pages,
    login,
    prevention_pages,
    search,
    start_page,
    ticket_ops,
)


def routes() -> list[BaseRoute]:
    return [
        *login.routes(),
        *api.routes(),
        Route("/", citizen.home),
        Route("/start", start_page.start_page),
        Route("/inbox", inbox.inbox),
        Route("/search", search.search),
        Route("/intake", intake.intake_page, methods=["GET"]),
        Route("/intake", intake.intake_submit, methods=["POST"]),
        Route("/intake/route", intake.route_preview, methods=["POST"]),
        Route("/cases/{code}", case_page.case_page),
        Route("/cases/{code}/receipt", intake.receipt),
        Route("/cases/{code}/files/{sha256}", attachments.download),
        Route("/cases/{code}/evaluation-link", case_page.evaluation_link, methods=["POST"]),
        Route("/cases/{code}/visits", case_visits.record_visit, methods=["POST"]),
        Route("/cases/{code}/supervise", case_supervision.supervise, methods=["POST"]),  # 督办
        Route("/tickets/{ticket:id}/act/{action}", act.act_page, methods=["GET"]),
        Route("/tickets/{ticket:id}/act/{action}", act.act_submit, methods=["POST"]),
        *ticket_ops.routes(),
        *letter_pages.routes(),  # 函件 (issue 20.2, admin/letter_pages.py)
        *prevention_pages.routes(),  # 排查预警
        *case_library.routes(),  # 调解案例库 (issue 22.4, admin/case_library.py)
        Route("/online", citizen.online_choose),
        Route("/online/{county}", citizen.online_page, methods=["GET"]),
        Route("/online/{county}", citizen.online_submit, methods=["POST"]),
        Route("/progress", citizen.progress_page, methods=["GET"]),
        Route("/progress", citizen.progress_lookup, methods=["POST"]),
        Route(
            "/evaluate/{code}/{token}", citizen.evaluate_page, methods=["GET"], name="evaluate_page"
        ),
        Route("/evaluate/{code}/{token}", citizen.evaluate_submit, methods=["POST"]),
        Mount("/dashboards", routes=dashboards.routes()),
        Mount("/console", routes=console.routes()),
    ]
