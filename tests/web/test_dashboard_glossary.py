"""The dashboard's 「指标口径见“统计口径说明”」 leads to a page that explains every figure
(issue 18: it linked nowhere)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from admin.dashboards.glossary import EXPLAINED
from admin.demo import create_demo_accounts, demo_password
from engine.reports.figures import METRICS
from server import create_app
from tests.web.counties import publish_xiaogan, xiaogan


def test_every_figure_is_explained() -> None:
    assert set(EXPLAINED) == {m.key for m in METRICS}


def test_the_dashboard_links_to_the_explanation_of_its_figures(
    page: Any, live_server: Any, settings: Any, db: Engine
) -> None:
    publish_xiaogan(db)
    create_demo_accounts(db, [xiaogan()])
    base = live_server(create_app(settings, db))
    page.goto(base + "/login")
    page.fill("input[name=username]", "xiaoganadmin")
    page.fill("input[name=password]", demo_password())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(base + "/dashboards/")
    page.get_by_role("link", name="“统计口径说明”").click()
    page.wait_for_url(base + "/dashboards/glossary")
    assert page.locator("h1").inner_text() == "统计口径说明"
    labels = page.locator("#glossary-table tbody th").all_inner_texts()
    assert labels == [m.label for m in METRICS]
    on_time = page.locator("#glossary-table tbody tr", has_text="按时办结率").inner_text()
    assert "期末仍未办结且已超期" in on_time
