"""The whole path in headless Chromium, with a screenshot of every page for docs/workbench.md:
a window clerk registers a case -> the dispatcher dispatches -> the office accepts and
resolves -> the party evaluates through the link -> the revisit verifies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from admin.demo import demo_password
from server import create_app
from tests.web.flow import HANDLING_FIELDS, INTAKE_FIELDS, PHONE, REVISIT_FIELDS, cast

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Walk:
    def __init__(self, page: Any, base: str, folder: Path) -> None:
        self.page, self.base, self.folder, self.n = page, base, folder, 0

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(self.folder / f"web-{self.n:02d}-{name}.png"), full_page=True)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str, shot: str = "") -> None:
        self.page.context.clear_cookies()
        self.go("/login")
        self.page.fill('[name="username"]', username)
        self.page.fill('[name="password"]', demo_password())
        if shot:
            self.shot(shot)
        self.page.click('button:has-text("登录")')
        self.page.wait_for_url("**/inbox")

    def fill(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            field = self.page.locator(f'[name="{name}"]').first
            tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
            if tag.startswith("SELECT"):
                field.select_option(value)
            elif tag.endswith(":checkbox"):
                field.set_checked(value == "true")
            elif tag.endswith(":radio"):
                self.page.check(f'[name="{name}"][value="{value}"]')
            else:
                field.fill(value)

    def act(self, code: str, action: str, fields: dict[str, str], shot: str) -> None:
        self.go(f"/cases/{code}")
        self.page.click(f'a.button:has-text("{action}")')
        self.fill(fields)
        self.shot(shot)
        self.page.click('button[type="submit"]:has-text("确认")')
        self.page.wait_for_url(f"**/cases/{code}**")


def test_whole_path_in_the_browser(page, live_server, artifacts, settings, db):
    people = cast(db)
    walk = Walk(page, live_server(create_app(settings, db)), artifacts)

    walk.go("/")
    walk.shot("home")
    walk.sign_in(people["clerk"].username, shot="login")
    walk.shot("clerk-inbox")
    walk.go("/intake")
    walk.fill({**INTAKE_FIELDS, "channel": "来访"})
    walk.page.wait_for_selector("#route-hint strong")  # htmx shows the suggested route
    assert "司法所" in walk.page.inner_text("#route-hint")
    walk.shot("intake")
    walk.page.click('button:has-text("登记并生成回执")')
    walk.page.wait_for_url("**/receipt?new=1")
    code = walk.page.inner_text(".receipt .code").strip()
    assert re.fullmatch(r"XG-\d{4}-\d{6}", code)
    assert walk.page.locator(".receipt svg").count() == 1
    walk.shot("receipt")

    walk.sign_in(people["dispatcher"].username)
    assert code in walk.page.inner_text("table.inbox")
    walk.shot("dispatcher-inbox")
    walk.act(
        code, "派发给承办单位", {"office": "司法所", "instruction": "请三日内调解"}, "dispatch"
    )
    walk.shot("case-after-dispatch")

    walk.sign_in(people["handler"].username)
    walk.shot("handler-inbox")
    walk.act(code, "接单", {}, "accept")
    walk.act(code, "调处化解", HANDLING_FIELDS, "resolve")
    walk.shot("case-resolved")

    walk.sign_in(people["evaluator"].username)
    walk.go(f"/cases/{code}")
    walk.page.click('button:has-text("生成评价链接")')
    link = walk.page.get_attribute("#evaluation-link", "href")
    walk.shot("evaluation-link")

    page.context.clear_cookies()
    page.goto(link)
    page.check('[name="score"][value="满意"]')
    walk.shot("party-evaluates")
    page.click('button:has-text("提交评价")')
    page.wait_for_selector("#thanks")
    walk.shot("party-thanks")

    walk.sign_in(people["revisitor"].username)
    walk.act(code, "核实办结", REVISIT_FIELDS, "revisit")
    assert "已办结" in page.inner_text("main")
    walk.shot("case-closed")

    page.context.clear_cookies()
    walk.go("/progress")
    walk.fill({"code": code, "phone": PHONE})
    page.click('button:has-text("查询")')
    page.wait_for_selector(".progress-result")
    assert "已办结" in page.inner_text(".progress-result")
    walk.shot("progress")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    walk.sign_in(people["handler"].username)
    page.click('a:has-text("已办")')
    assert code in page.inner_text("main")
    walk.shot("phone-done-tab")
