"""A day at the center in headless Chromium (issue 18, the staff workbench), with screenshots
for docs/workbench.md: the dispatch page's office select (the suggestion preselected, its
rule in words) beside the case's facts, parties and history; the inbox's filters as choices
(htmx reloads the table); a returned case marked 退回; 接单 then 办理 without a 签收 between;
the repeat-visit form folded for the window; a stale action link answered in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.clock import ManualClock
from server import create_app
from tests.web.casework import MONDAY, open_case
from tests.web.flow import cast
from tests.web.test_web_ticket_ops_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"day-{name}.png"), full_page=True)


@pytest.fixture
def served(settings, db) -> Any:
    people = cast(db)
    clock = ManualClock(MONDAY)
    app = create_app(settings, db)
    app.state.clock = clock
    return people, clock, app


def test_dispatch_chooses_an_office_beside_the_facts(page, live_server, artifacts, served, db):
    people, clock, app = served
    base = live_server(app)
    code = open_case(db, clock, step="派单")
    sign_in(page, base, people["dispatcher"].username)
    page.goto(f"{base}/cases/{code}")
    page.click('a.button:has-text("派发给承办单位")')
    office = page.locator('select[name="office"]')
    assert office.evaluate("e => e.tagName") == "SELECT"
    assert office.input_value() == "司法所"  # routing's suggestion, preselected
    labels = office.locator("option").all_inner_texts()
    assert "综治中心（无差别受理）" in labels and "司法局" not in labels
    assert "建议分流：等级 一般 → 乡镇（街道）级 司法所" in page.inner_text("form.yf")
    facts = page.inner_text(".decision-facts")
    for seen in ("邻里纠纷", "书院社区", "邻居装修噪音扰民", "王小明", "本单期限", "受理登记"):
        assert seen in facts, seen
    shot(page, artifacts, "01-dispatch")
    stale = page.url
    office.select_option("人民调解委员会")
    page.click('button[type="submit"]:has-text("确认")')
    page.wait_for_url(f"**/cases/{code}**")
    assert "人民调解委员会" in page.inner_text("section.card")

    page.goto(stale)  # the link opened before dispatching, now stale
    assert "该单已办理" in page.inner_text("h1")
    assert f"该单已由 {people['dispatcher'].display_name} 于" in page.inner_text("main")
    shot(page, artifacts, "02-stale-link")
    page.click(f'a:has-text("查看案件 {code}")')
    page.wait_for_url(f"**/cases/{code}")


def test_inbox_filters_are_choices_and_a_returned_case_is_marked(
    page, live_server, artifacts, served, db
):
    people, clock, app = served
    base = live_server(app)
    returned = open_case(db, clock, step="接单")
    other = open_case(db, clock, step="派单")
    sign_in(page, base, people["handler"].username)
    page.goto(f"{base}/cases/{returned}")
    page.click('a.button:has-text("退回")')
    page.fill('[name="_reason"]', "不属于本所职责，请改派")
    page.click('button[type="submit"]:has-text("确认")')
    page.wait_for_url(f"**/cases/{returned}**")

    page.context.clear_cookies()
    sign_in(page, base, people["dispatcher"].username)
    line = page.locator("table.inbox tr", has_text=returned)
    assert "退回：不属于本所职责，请改派" in line.inner_text()
    assert "退回" not in page.locator("table.inbox tr", has_text=other).inner_text()
    assert page.locator("table.inbox tr", has_text=other).inner_text().count("派单") == 1
    step = page.locator('form.filters select[name="step"]')
    assert "办理" in step.locator("option").all_inner_texts()
    categories = page.locator('form.filters select[name="category"] option').all_inner_texts()
    assert "婚姻家庭 · 离婚纠纷" in categories
    shot(page, artifacts, "03-inbox-returned")
    with page.expect_response(lambda r: "/inbox?" in r.url and "category=" in r.url):
        page.select_option('form.filters select[name="category"]', "劳动争议")
    page.wait_for_selector("#inbox-table p.muted")  # htmx swapped the table: nothing matches
    assert returned not in page.inner_text("#inbox-table")
    with page.expect_response(lambda r: "category=%E9%82%BB" in r.url):
        page.select_option('form.filters select[name="category"]', "邻里纠纷")
    page.wait_for_selector("table.inbox")
    assert returned in page.inner_text("#inbox-table")
    shot(page, artifacts, "04-inbox-filtered")


def test_accept_then_handle_without_a_second_sign_and_the_visit_form_folded(
    page, live_server, artifacts, served, db
):
    people, clock, app = served
    base = live_server(app)
    code = open_case(db, clock, step="接单")
    sign_in(page, base, people["handler"].username)
    page.goto(f"{base}/cases/{code}")
    assert page.locator("button.op-claim").count() == 0
    assert page.locator("#visits").count() == 0  # not the handler's to record
    page.click('a.button:has-text("接单")')
    page.click('button[type="submit"]:has-text("确认")')
    page.wait_for_url(f"**/cases/{code}**")
    assert page.locator("button.op-claim").count() == 0
    assert "已由您签收" in page.inner_text("section.card >> nth=-2")
    assert page.locator('a.button:has-text("调处化解")').count() == 1
    assert page.inner_text("main").count("王小明") == 1  # the parties once
    shot(page, artifacts, "05-accepted")

    page.context.clear_cookies()
    sign_in(page, base, people["clerk"].username)
    page.goto(f"{base}/cases/{code}")
    assert not page.locator("#visits textarea").is_visible()  # folded
    page.click("#visits summary")
    assert page.locator("#visits textarea").is_visible()


def test_a_fresh_intake_shows_the_schemas_defaults(page, live_server, served):
    people, _clock, app = served
    base = live_server(app)
    sign_in(page, base, people["clerk"].username)
    page.goto(f"{base}/intake")
    assert page.locator('select[name="severity"]').input_value() == "一般"
    assert page.locator('[name="parties/0/role"]').input_value() == "申请人"
