"""The case page's ticket operations in headless Chromium, with screenshots for
docs/workbench.md: 签收, 中止 then 恢复 (htmx swaps the page in place), and the same forms and
the add-row buttons with JavaScript switched off."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from admin.demo import demo_password
from engine.clock import ManualClock
from server import create_app
from tests.web.casework import MONDAY, open_case, open_ticket
from tests.web.flow import INTAKE_FIELDS, cast

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', demo_password())
    page.click('button:has-text("登录")')
    page.wait_for_url("**/inbox")


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"ops-{name}.png"), full_page=True)


@pytest.fixture
def served(settings, db) -> Any:
    people = cast(db)
    clock = ManualClock(MONDAY)
    app = create_app(settings, db)
    app.state.clock = clock
    return people, clock, app


def test_claim_then_suspend_and_resume_in_the_browser(page, live_server, artifacts, served, db):
    people, clock, app = served
    base = live_server(app)
    code = open_case(db, clock, step="接单")
    sign_in(page, base, people["handler"].username)
    page.goto(f"{base}/cases/{code}")
    # 接单 is itself the acceptance: no 签收 before it, and the 办理 after it is the
    # accepter's own (signed for on their behalf), so no 签收 again either.
    assert page.locator("button.op-claim").count() == 0
    shot(page, artifacts, "01-accept-button")
    page.click('a.button:has-text("接单")')
    page.click('button[type="submit"]:has-text("确认")')
    page.wait_for_url(f"**/cases/{code}**")
    ticket = open_ticket(db, code)
    assert "已由您签收" in page.inner_text(f"#ticket-{ticket}")
    assert page.locator("button.op-claim").count() == 0
    assert "签收" in page.inner_text("ol.timeline")
    shot(page, artifacts, "02-claimed")
    due_before = page.inner_text(f"#ticket-{ticket} .due")

    page.click(f"#op-{ticket}-suspend summary")
    page.fill(f"#op-{ticket}-suspend [name=reason]", "当事人外出务工，节后返乡")
    page.select_option(f"#op-{ticket}-suspend [name=approver]", index=1)  # the town's 负责人
    shot(page, artifacts, "03-suspend-form")
    clock.set(MONDAY + timedelta(hours=1))
    page.click(f"#op-{ticket}-suspend button.op-suspend")
    page.wait_for_selector("button.op-resume")
    assert "已中止" in page.inner_text("section.card")
    assert "当事人外出务工" in page.inner_text("ol.timeline")
    shot(page, artifacts, "04-suspended")

    clock.set(MONDAY + timedelta(days=1, hours=1))  # a working day later
    page.fill(f"#ticket-{ticket} [name=reason]", "当事人已返乡")
    page.click("button.op-resume")
    page.wait_for_selector(f"#op-{ticket}-suspend")
    assert "已恢复办理" in page.inner_text(".notice")
    assert page.inner_text(f"#ticket-{ticket} .due") != due_before  # moved by the pause
    page.click(f"#op-{ticket}-extend summary")
    shot(page, artifacts, "05-resumed-extend-form")


def test_a_refused_suspension_shows_the_error_in_place(page, live_server, artifacts, served, db):
    people, clock, app = served
    base = live_server(app)
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(page, base, people["handler"].username)
    page.goto(f"{base}/cases/{code}")
    page.click(f"#op-{ticket}-extend summary")
    page.fill(f"#op-{ticket}-extend [name=reason]", "需要等待鉴定结果")
    page.select_option(f"#op-{ticket}-extend [name=approver]", index=1)  # the town's 负责人
    page.fill(f"#op-{ticket}-extend [name=amount]", "2")
    page.select_option(f"#op-{ticket}-extend [name=unit]", "hour")
    # A unit the page does not offer (a forged or stale form) is answered on the page.
    page.eval_on_selector(
        f"#op-{ticket}-extend [name=unit] option[value=hour]", "o => o.value = 'fortnight'"
    )
    page.click(f"#op-{ticket}-extend button.op-extend")
    page.wait_for_selector(f"#problem-{ticket}")
    assert "请选择延期单位" in page.inner_text(f"#problem-{ticket}")
    assert page.locator(f"#op-{ticket}-extend[open]").count() == 1
    assert page.input_value(f"#op-{ticket}-extend [name=reason]") == "需要等待鉴定结果"
    assert page.input_value(f"#op-{ticket}-extend [name=amount]") == "2"
    shot(page, artifacts, "06-extend-error")


def test_without_javascript_rows_and_ticket_operations_still_work(
    _browser, live_server, artifacts, served, db
):
    people, clock, app = served
    base = live_server(app)
    context = _browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, people["clerk"].username)
        page.goto(f"{base}/intake")
        page.fill('[name="parties/0/name"]', INTAKE_FIELDS["parties/0/name"])
        page.fill('[name="summary"]', INTAKE_FIELDS["summary"])
        page.click('button[value="add:parties"]')
        page.wait_for_selector('[name="parties/1/name"]')
        assert page.input_value('[name="parties/0/name"]') == INTAKE_FIELDS["parties/0/name"]
        assert page.input_value('[name="summary"]') == INTAKE_FIELDS["summary"]
        assert page.locator(".yf-error").count() == 0
        page.fill('[name="parties/1/name"]', "李四")
        shot(page, artifacts, "07-nojs-intake-added-row")
        page.click('button[value="remove:parties/0"]')
        page.wait_for_selector('[name="parties/1/name"]', state="detached")
        assert page.input_value('[name="parties/0/name"]') == "李四"

        code = open_case(db, clock)
        ticket = open_ticket(db, code)
        page.context.clear_cookies()
        sign_in(page, base, people["handler"].username)
        page.goto(f"{base}/cases/{code}")
        page.click(f"#op-{ticket}-suspend summary")  # <details> opens without JavaScript
        page.fill(f"#op-{ticket}-suspend [name=reason]", "等待鉴定")
        page.select_option(f"#op-{ticket}-suspend [name=approver]", index=1)  # the town's 负责人
        page.click(f"#op-{ticket}-suspend button.op-suspend")
        page.wait_for_selector("button.op-resume")
        assert f"/cases/{code}?did=suspend" in page.url
        shot(page, artifacts, "08-nojs-suspended")
    finally:
        context.close()
