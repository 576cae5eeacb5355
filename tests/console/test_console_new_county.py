"""docs/console.md as a browser test: an administrator configures 青山县 from nothing: files,
forms, the generated views, a form preview, the first publication. Its screenshots are the
ones the guide shows (copied from test-artifacts/ to docs/img/)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from admin.console import store
from tests.console.conftest import make_admin
from tests.console.county import files
from tests.console.test_console_browser import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(live_server: Callable[[Any], str], app: Starlette, db: Engine) -> str:
    make_admin(db, "qs_admin", "qingshan")  # a county with nothing published yet
    return live_server(app)


def write_file(page: Any, site: str, path: str, text: str) -> None:
    page.goto(f"{site}/console/files")
    page.fill("input[name=path]", path)
    page.click("form[action='/console/files/new'] button")
    page.wait_for_url(re.compile(r".*/console/files/edit\?path=.*"))
    page.fill("#source", text)
    page.click("text=保存草稿")
    page.locator("text=草稿已保存").wait_for()


def test_configure_a_new_county_from_nothing(
    page: Any, site: str, db: Engine, artifacts: Path
) -> None:
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/files")
    assert "本县尚未发布任何版本" in page.locator("main").inner_text()
    texts = files()
    write_file(page, site, "county.yd", texts["county.yd"])
    # The intake form is named but not written yet: the check says so at its line.
    assert page.locator("#gutter .ln.error").count() >= 1
    assert "受理登记" in page.locator("#check").inner_text()
    write_file(page, site, "forms/受理登记.json", texts["forms/受理登记.json"])
    write_file(page, site, "forms/办理情况.json", texts["forms/办理情况.json"])
    page.locator(".check-ok").wait_for()
    shot(page, artifacts, "files")

    page.goto(f"{site}/console/views/org")
    assert "工作副本" in page.locator(".source").inner_text()
    page.goto(f"{site}/console/views/routing")
    assert "每个组合都有去处" in page.locator("#gap-count").inner_text()
    shot(page, artifacts, "routing")
    page.goto(f"{site}/console/views/processes")
    diagram = page.locator(".diagram svg")
    assert diagram.count() == 1
    labels = diagram.text_content() or ""
    assert "派单" in labels and "办理" in labels
    shot(page, artifacts, "process")
    page.goto(f"{site}/console/views/deadlines")
    shot(page, artifacts, "deadlines")
    page.goto(f"{site}/console/views/calendar?year=2026")
    assert page.locator('td[data-date="2026-04-09"]').get_attribute("class") == (
        "day-local-holiday"
    )
    shot(page, artifacts, "calendar")

    page.goto(f"{site}/console/forms")
    page.click(".console-body a[href*='preview']:has-text('受理登记')")
    page.click("#fill-sample")
    page.fill("input[name='联系电话']", "12345")
    page.locator("form.yf button[type=submit], form button[type=submit]").last.click()
    page.locator("#validation-result").wait_for()
    assert "校验未通过：1 处问题" in page.locator("#validation-result").inner_text()
    shot(page, artifacts, "form-preview")

    page.goto(f"{site}/console/versions")
    page.click("#publish")  # the note is required: the browser keeps the form
    assert page.locator("#publish-confirm").count() == 0
    page.fill("#release-note", "首次发布")
    page.click("#publish")
    page.locator("#publish-confirm").wait_for()
    assert "确认发布第 1 版" in page.locator("#confirm-publish").inner_text()
    page.click("#confirm-publish")
    page.locator("#publish-notice").wait_for()
    assert "已发布第 1 版" in page.locator("#publish-notice").inner_text()
    current = store.published(db, "qingshan")
    assert current is not None and set(current.files) == set(texts)
