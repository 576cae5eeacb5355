"""Dashboards (统计看板), overdue board, meeting reports and ledgers, mounted at /dashboards."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from admin.dashboards import glossary, rewards, views


def routes() -> list[BaseRoute]:
    return [
        Route("/", views.overview, methods=["GET"]),
        Route("/cases", views.case_list, methods=["GET"]),
        Route("/overdue", views.overdue_board, methods=["GET"]),
        Route("/glossary", glossary.glossary_page, methods=["GET"]),
        Route("/meeting/{kind}", views.meeting, methods=["GET"]),
        Route("/rewards", rewards.reward_page, methods=["GET"]),  # 计件奖励 (issue 22)
        Route("/export/{what}.{fmt}", views.export, methods=["GET"]),
    ]
