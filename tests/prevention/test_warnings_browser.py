"""The 预警 tab in headless Chromium: the town dispatcher finds the orange warning with its
explanation, closes the work order, and sees it among the closed ones; the figures page shows
it by grade; the grid member fills the checklist and turns the dispute into a case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.prevention.pages import PASSWORD, prepare
from tests.prevention.test_prevention_pages import raise_warning

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# A liveness bound for each page load, not a speed check: the shared machine is often loaded.
WAIT = 120_000


def sign_in(page: Any, base: str, username: str) -> None:
    page.set_default_timeout(WAIT)
    page.goto(f"{base}/login?next=/inbox")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")


def test_the_warning_page_in_the_browser(
    app: Starlette, db: Engine, live_server: Any, page: Any, artifacts: Path
) -> None:
    prepare(db, app)
    raise_warning(db, app)
    base = live_server(app)
    sign_in(page, base, "rucheng")
    page.click("nav.tabs >> text=预警")
    page.wait_for_url("**/prevention/warnings")
    row = page.locator("#warnings tbody tr")
    assert row.count() == 1
    assert row.locator(".grade").inner_text() == "橙"
    assert (
        row.locator(".explanation")
        .inner_text()
        .startswith("同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2")
    )
    page.screenshot(path=str(artifacts / "warnings.png"), full_page=True)
    row.locator("button:has-text('办结')").click()  # no answer yet: refused in Chinese
    assert "请填写处置情况" in page.locator("p.alert").inner_text()
    page.locator("#warnings textarea[name=note]").fill("已约谈物业公司，业委会牵头协商")
    page.locator("#warnings button:has-text('办结')").click()
    page.wait_for_selector("p.notice")
    assert "预警工单已办结" in page.locator("p.notice").inner_text()
    assert "没有未办结的预警" in page.inner_text("main")
    page.click("text=含已办结")
    assert "已办结：已约谈物业公司" in page.locator("#warnings").inner_text()
    page.click("nav.tabs >> text=预警与排查统计")
    page.fill("input[name=month]", "2026-11")
    page.click("button:has-text('查看')")
    assert "1 条" in page.locator("#warnings-by-grade").inner_text()
    assert "如城街道" in page.locator("#warnings-by-town").inner_text()


def test_a_screening_checklist_in_the_browser(
    app: Starlette, db: Engine, live_server: Any, page: Any, artifacts: Path
) -> None:
    prepare(db, app)
    base = live_server(app)
    sign_in(page, base, "wangge")
    page.click("nav.tabs >> text=排查")
    page.click("#screening-tasks >> text=网格员每日排查")
    page.check("input[name=checked][value='矛盾纠纷']")
    page.check("input[name='发现纠纷']")
    page.select_option("select[name='纠纷/category']", "邻里纠纷")
    page.fill("[name='纠纷/summary']", "两户因宅基地排水沟堵塞争执不下")
    page.fill("[name='纠纷/parties/0/name']", "冒一")
    page.fill("[name='纠纷/parties/0/phone']", "13800001111")
    page.click("button:has-text('保存排查结果')")
    page.wait_for_selector("#to-case")
    page.screenshot(path=str(artifacts / "screening.png"), full_page=True)
    page.click("#to-case")
    page.wait_for_url("**/cases/RG-*")
    assert "排查发现" in page.inner_text("main")
