"""The dashboard in headless Chromium: the right numbers, a drill-down, and a ledger download."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from admin.accounts import MembershipSpec, create_user
from dsl.model import County
from tests.reports.builders import TOP
from tests.web.conftest import PASSWORD
from tests.web.test_dashboards import county, seeded  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def sign_in(page: Any, base: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_dashboard_drill_down_and_export(
    app: Starlette,
    db: Engine,
    county: County,  # noqa: F811
    seeded: Any,  # noqa: F811
    live_server: Any,
    page: Any,
    artifacts: Path,
) -> None:
    create_user(
        db,
        "boss",
        PASSWORD,
        display_name="县中心主任",
        county=county.key,
        memberships=[MembershipSpec(TOP, "主任")],
        is_admin=True,
    )
    base = live_server(app)
    sign_in(page, base, "/inbox")
    page.goto(f"{base}/dashboards/?period=month&day=2026-11-01")
    received = page.locator('[data-metric="received"] .metric-value')
    assert received.inner_text() == "7"
    assert page.locator('[data-metric="on_time"] .metric-value').inner_text() == "50.0%"
    assert page.locator('[data-metric="on_time"] .metric-fraction').inner_text() == "3/6"
    assert page.locator("svg.column-chart").count() == 1
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.click('[data-metric="resolution"]')  # drill down: resolved of closed (A, C, J)
    page.wait_for_url("**/dashboards/cases?*")
    assert page.locator("#total").inner_text() == "3"
    assert page.locator("table.ledger tbody tr").count() == 3
    assert "化解率（分子）" in page.locator("h1").inner_text()

    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "案件编号"
    assert len(rows) == 4  # header and the three cases

    page.goto(f"{base}/dashboards/meeting/monthly?period=month&day=2026-11-01")
    assert "月分析" in page.locator("h1").inner_text()
    page.emulate_media(media="print")
    assert page.locator(".period-form").is_hidden()  # A4 print hides the controls
    page.pdf(path=str(artifacts / "monthly-report.pdf"), format="A4")
