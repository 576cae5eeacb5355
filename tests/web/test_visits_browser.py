"""登记再次来访 on the case page in headless Chromium: htmx swaps the page in place with the
new count and its timeline entry."""

from __future__ import annotations

import pytest

from engine.clock import ManualClock
from server import create_app
from tests.web.casework import MONDAY, open_case
from tests.web.flow import cast
from tests.web.test_web_ticket_ops_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_repeat_visit_is_recorded_in_the_browser(page, live_server, settings, db) -> None:
    people = cast(db)
    clock = ManualClock(MONDAY)
    app = create_app(settings, db)
    app.state.clock = clock
    base = live_server(app)
    code = open_case(db, clock)
    sign_in(page, base, people["clerk"].username)
    page.goto(f"{base}/cases/{code}")
    assert "来访 1 次" in page.inner_text("section.card")
    page.click("#visits summary")  # folded until wanted
    page.fill("#visits [name=note]", "当事人又来窗口询问")
    page.click("button.op-visit")
    page.wait_for_selector("#visits .notice")  # htmx swapped the page in place
    assert "本案来访次数：2 次" in page.inner_text("#visits .notice")
    assert "来访 2 次" in page.inner_text("section.card")
    assert "再次来访" in page.inner_text("ol.timeline")
    assert "当事人又来窗口询问" in page.inner_text("ol.timeline")
