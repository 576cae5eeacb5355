"""The administrator's day in the console, in headless Chromium (issue 18): the title names the
county, the site icon exists, the editor scrolls long lines and says when the text differs from
what is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.console.county import files
from tests.console.test_console_browser import sign_in

pytestmark = pytest.mark.browser

LONG = "# " + "很长的注释" * 60  # wider than the editor


@pytest.fixture
def site(live_server: Callable[[Any], str], app: Starlette, qingshan: Engine) -> str:
    return live_server(app)


def test_the_console_is_titled_with_the_county_s_chinese_name(page: Any, site: str) -> None:
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/")
    assert page.locator(".console-nav strong").inner_text() == "青山县 配置台"


def test_no_page_asks_for_an_icon_that_is_not_there(page: Any, site: str) -> None:
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/")
    page.goto(f"{site}/login")
    icon = page.request.get(f"{site}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert missing == []


def test_the_editor_scrolls_to_the_end_of_a_long_line(page: Any, site: str) -> None:
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/files/edit?path=county.yd")
    page.fill("#source", LONG + "\n" + files()["county.yd"])
    source = page.locator("#source")
    width = source.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert width[0] > width[1]  # the line is wider than the box ...
    source.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert source.evaluate("t => t.scrollLeft") > 0  # ... and can be scrolled to, not clipped


def test_the_editor_says_when_the_text_differs_from_what_is_saved(page: Any, site: str) -> None:
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/files/edit?path=county.yd")
    state = page.locator("#edit-state")
    assert state.inner_text() == "与已发布版本相同。"
    page.fill("#source", files()["county.yd"].replace("较大 20 天", "较大 15 天"))
    page.wait_for_function(
        "() => document.getElementById('edit-state').textContent.includes('有未保存的改动')"
    )
    page.fill("#source", files()["county.yd"])  # typed back to what it was
    page.wait_for_function(
        "() => document.getElementById('edit-state').textContent === '与已发布版本相同。'"
    )
    page.fill("#source", files()["county.yd"].replace("较大 20 天", "较大 15 天"))
    page.click("text=保存草稿")
    page.locator("text=草稿已保存").wait_for()
    assert state.inner_text().startswith("草稿：qs_admin 于")
    page.fill("#source", files()["county.yd"])
    page.wait_for_function(
        "() => document.getElementById('edit-state').textContent.includes('有未保存的改动')"
    )
