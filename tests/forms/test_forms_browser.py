"""Browser tests (headless Chromium): array rows added and removed with htmx, a conditional
section, inline errors with a summary, no-JavaScript fallbacks, and screenshots at phone and
tablet width. The page has a strict CSP, so any inline script or style would be refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.forms.forms_demo_app import make_app

pytestmark = pytest.mark.browser

PARTY_ROWS = "#yf-parties > ol > li.yf-row"


@pytest.fixture
def demo(live_server: Callable[[Any], str], tmp_path: Path) -> tuple[str, Any]:
    app = make_app(tmp_path / "attachments")
    return live_server(app), app


@pytest.fixture
def csp_violations(page: Any) -> list[str]:
    """Console errors (a CSP refusal shows up there) collected during the test."""
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if message.type == "error" else None
    )
    return found


def fill_valid(page: Any) -> None:
    page.select_option("#yf-channel", "walk_in")
    page.select_option("#yf-category", "邻里纠纷")
    page.fill("#yf-summary", "邻居装修导致楼下漏水，要求赔偿损失")
    page.fill("#yf-town_code", "330102")
    page.fill("#yf-address__town", "城关镇")
    page.fill("#yf-parties__0__name", "张三")
    page.fill("#yf-parties__0__id_number", "11010519491231002X")
    page.fill("#yf-parties__0__phone", "13812341234")


def test_add_and_remove_rows(
    page: Any, demo: tuple[str, Any], csp_violations: list[str], artifacts: Path
) -> None:
    url, _app = demo
    page.goto(url + "/")
    page.evaluate("window.notReloaded = true")
    assert page.locator(PARTY_ROWS).count() == 1
    page.fill("#yf-parties__0__name", "张三")
    page.get_by_role("button", name="添加当事人").click()
    page.wait_for_selector("#yf-parties__1__name")
    page.fill("#yf-parties__1__name", "李四")
    page.get_by_role("button", name="添加当事人").click()
    page.wait_for_selector("#yf-parties__2__name")
    assert page.locator(PARTY_ROWS).count() == 3
    page.screenshot(path=str(artifacts / "forms-rows-added.png"), full_page=True, caret="initial")

    page.get_by_role("button", name="删除当事人 1").click()
    page.wait_for_selector("#yf-parties__2__name", state="detached")
    assert page.locator(PARTY_ROWS).count() == 2
    assert page.input_value("#yf-parties__0__name") == "李四"  # renumbered, values kept
    assert page.evaluate("window.notReloaded") is True  # htmx swap, no page load
    assert csp_violations == [], "\n".join(csp_violations)


def test_conditional_section(page: Any, demo: tuple[str, Any], csp_violations: list[str]) -> None:
    url, _app = demo
    page.goto(url + "/")
    page.evaluate("window.notReloaded = true")
    assert page.locator("#yf-aid__reason").count() == 0
    page.get_by_label("是否申请法律援助").check()
    page.wait_for_selector("#yf-aid__reason")
    assert page.get_by_label("申请法律援助理由").is_visible()
    page.get_by_label("是否申请法律援助").uncheck()
    page.wait_for_selector("#yf-aid__reason", state="detached")
    # A dependentSchemas field: an agent's phone is asked once an agent is named.
    page.fill("#yf-agent_name", "王五")
    page.press("#yf-agent_name", "Tab")
    page.wait_for_selector("#yf-agent_phone")
    # A shape choice: picking 单位 brings the organisation's fields.
    page.get_by_label("单位", exact=True).check()
    page.wait_for_selector("#yf-respondent__credit_code")
    assert page.evaluate("window.notReloaded") is True
    assert csp_violations == [], "\n".join(csp_violations)


def test_inline_errors_then_success(page: Any, demo: tuple[str, Any], artifacts: Path) -> None:
    url, app = demo
    page.goto(url + "/")
    fill_valid(page)
    page.fill("#yf-parties__0__id_number", "110105194912310021")
    page.click("button.yf-submit")
    page.wait_for_selector(".yf-summary")
    summary = page.locator(".yf-summary")
    assert "身份证号校验位不正确，请核对" in summary.inner_text()
    error = page.locator("#yf-parties__0__id_number-error")
    assert error.inner_text() == "身份证号校验位不正确，请核对"
    field = page.locator("#yf-parties__0__id_number")
    assert field.get_attribute("aria-invalid") == "true"
    assert page.input_value("#yf-parties__0__name") == "张三"  # values kept
    assert app.state.saved == []  # nothing stored
    page.screenshot(path=str(artifacts / "forms-inline-error.png"), full_page=True, caret="initial")
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#yf-parties__0__id_number")

    page.fill("#yf-parties__0__id_number", "11010519491231002X")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    assert app.state.saved[0]["parties"][0]["id_number"] == "11010519491231002X"
    text = page.locator(".yf-view").inner_text()
    assert "138****1234" in text and "13812341234" not in text


def test_without_javascript(page: Any, demo: tuple[str, Any]) -> None:
    url, app = demo
    context = page.context.browser.new_context(java_script_enabled=False, locale="zh-CN")
    nojs = context.new_page()
    try:
        nojs.goto(url + "/")
        nojs.get_by_role("button", name="添加当事人").click()  # a real submit with _op
        nojs.wait_for_selector("#yf-parties__1__name")
        fill_valid(nojs)
        nojs.get_by_label("是否申请法律援助").check()
        nojs.click("button.yf-submit")
        nojs.wait_for_selector(".yf-summary")
        # The server decided: the section is shown with its errors, nothing is stored.
        assert nojs.locator("#yf-aid__reason-error").inner_text() == "请填写申请法律援助理由"
        assert "请填写当事人姓名" in nojs.locator(".yf-summary").inner_text()  # empty row 2
        assert app.state.saved == []
    finally:
        context.close()


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (820, "tablet")])
def test_small_screens(
    page: Any, demo: tuple[str, Any], artifacts: Path, width: int, name: str
) -> None:
    url, _app = demo
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url + "/")
    page.click("button.yf-submit")
    page.wait_for_selector(".yf-summary")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0  # nothing wider than the screen
    font = page.evaluate("getComputedStyle(document.querySelector('.yf')).fontFamily")
    assert "Microsoft YaHei" in font and "WenQuanYi Micro Hei" in font
    page.screenshot(path=str(artifacts / f"forms-{name}.png"), full_page=True, caret="initial")
