"""Shapes form authors write, completed by a person in headless Chromium (strict CSP, htmx):
a question asked only when an answer is chosen (dependentSchemas holding a oneOf keyed by an
enum), prefixItems positions, key/value rows of additionalProperties, an anyOf of titled
values, enum values that are objects, booleans and null. Each test also opens a stored record
and submits it unchanged: what is saved is what was stored (the round trip)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import forms
from tests.forms.forms_demo_app import make_app
from tests.forms.test_forms_roundtrip import SAMPLES, sample, with_files

pytestmark = pytest.mark.browser

CHANNEL = {
    "title": "来访登记",
    "type": "object",
    "required": ["channel"],
    "properties": {
        "name": {"type": "string", "title": "来访人"},
        "channel": {"type": "string", "title": "受理渠道", "enum": ["来访", "电话", "网上"]},
    },
    "dependentSchemas": {
        "channel": {
            "oneOf": [
                {
                    "properties": {
                        "channel": {"enum": ["来访"]},
                        "visit_date": {"type": "string", "format": "date", "title": "来访日期"},
                    },
                    "required": ["visit_date"],
                },
                {
                    "properties": {
                        "channel": {"enum": ["电话"]},
                        "caller_phone": {"type": "string", "title": "来电号码"},
                    },
                    "required": ["caller_phone"],
                },
                {"properties": {"channel": {"enum": ["网上"]}}},
            ]
        }
    },
}

TUPLE = {
    "title": "证据登记",
    "type": "object",
    "properties": {
        "evidence": {
            "type": "array",
            "title": "证据",
            "prefixItems": [
                {"type": "string", "title": "证据名称"},
                {"type": "boolean", "title": "已核实原件"},
            ],
            "items": {"type": "integer", "title": "页数"},
        }
    },
}

EXTRAS = {
    "title": "补充信息",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "title": "当事人"}},
    "additionalProperties": {"type": "string", "pattern": "^[^0-9]*$"},
}

CHOICES = {
    "title": "调解结果",
    "type": "object",
    "properties": {
        "grade": {
            "title": "纠纷等级",
            "anyOf": [
                {"const": "general", "title": "一般纠纷"},
                {"const": "major", "title": "重大纠纷"},
            ],
        },
        "agreed": {"title": "双方是否同意", "enum": [True, False, None]},
        "town": {
            "title": "发生地",
            "enum": [
                {"name": "城关镇", "code": "330102001"},
                {"name": "东溪乡", "code": "330102201"},
            ],
        },
    },
}


def server(live_server: Callable[[Any], str], tmp_path: Path, schema: Any, stored: Any = None):
    app = make_app(tmp_path / "attachments", schema, stored)
    return live_server(app), app


def submit_unchanged(page: Any, url: str, app: Any, stored: dict[str, Any]) -> None:
    """Open the stored record and submit it as it is: it comes back unchanged."""
    page.goto(url + "/")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    assert app.state.saved == [stored]


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Script errors and CSP refusals (a 422 answer to an invalid submission is expected)."""
    found: list[str] = []

    def seen(message: Any) -> None:
        if message.type == "error" and "status of 422" not in message.text:
            found.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_dependent_question_appears_with_its_answer(
    page: Any,
    live_server: Callable[[Any], str],
    tmp_path: Path,
    console_errors: list[str],
    artifacts: Path,
) -> None:
    url, app = server(live_server, tmp_path / "new", CHANNEL)
    page.goto(url + "/")
    page.evaluate("window.notReloaded = true")
    assert page.locator("#yf-caller_phone").count() == 0
    page.get_by_label("受理渠道").select_option("电话")
    page.wait_for_selector("#yf-caller_phone")
    page.get_by_label("来电号码").fill("0571-88881234")
    page.get_by_label("受理渠道").select_option("来访")
    page.wait_for_selector("#yf-caller_phone", state="detached")
    page.get_by_label("来访日期").fill("2024-03-01")
    page.get_by_label("来访人").fill("张三")
    page.screenshot(path=str(artifacts / "forms-dependent.png"), full_page=True, caret="initial")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    assert app.state.saved == [{"name": "张三", "channel": "来访", "visit_date": "2024-03-01"}]
    assert page.evaluate("window.notReloaded") is None  # the submit was a real page load
    assert console_errors == [], "\n".join(console_errors)

    stored = {"channel": "电话", "caller_phone": "0571-88881234"}
    url, app = server(live_server, tmp_path / "edit", CHANNEL, stored)
    submit_unchanged(page, url, app, stored)


def test_dependent_question_without_javascript(
    page: Any, live_server: Callable[[Any], str], tmp_path: Path
) -> None:
    """Without JavaScript the server asks on submit: the question appears with an error."""
    url, app = server(live_server, tmp_path, CHANNEL)
    context = page.context.browser.new_context(java_script_enabled=False, locale="zh-CN")
    nojs = context.new_page()
    try:
        nojs.goto(url + "/")
        nojs.get_by_label("受理渠道").select_option("电话")
        nojs.click("button.yf-submit")
        nojs.wait_for_selector("#yf-caller_phone")
        assert "来电号码" in nojs.locator(".yf-summary").inner_text()
        assert app.state.saved == []
        nojs.get_by_label("来电号码").fill("13812341234")
        nojs.click("button.yf-submit")
        nojs.wait_for_url("**/saved/0")
        assert app.state.saved == [{"channel": "电话", "caller_phone": "13812341234"}]
    finally:
        context.close()


def test_prefix_items_each_position_its_own_control(
    page: Any,
    live_server: Callable[[Any], str],
    tmp_path: Path,
    console_errors: list[str],
    artifacts: Path,
) -> None:
    url, app = server(live_server, tmp_path / "new", TUPLE)
    page.goto(url + "/")
    name = page.get_by_label("证据名称")
    checked = page.get_by_label("已核实原件")
    assert name.get_attribute("type") == "text"
    assert checked.get_attribute("type") == "checkbox"
    assert page.get_by_role("button", name="删除证据名称").count() == 0  # positions stay
    name.fill("借条")
    checked.check()
    page.get_by_role("button", name="添加页数").click()
    page.wait_for_selector("#yf-evidence__2")
    assert page.locator("#yf-evidence__2").get_attribute("type") == "number"
    page.locator("#yf-evidence__2").fill("3")
    page.screenshot(path=str(artifacts / "forms-prefix-items.png"), full_page=True, caret="initial")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    assert app.state.saved == [{"evidence": ["借条", True, 3]}]
    assert console_errors == [], "\n".join(console_errors)

    stored = {"evidence": ["收据", False, 2, 5]}
    url, app = server(live_server, tmp_path / "edit", TUPLE, stored)
    submit_unchanged(page, url, app, stored)


def test_additional_properties_rows(
    page: Any,
    live_server: Callable[[Any], str],
    tmp_path: Path,
    console_errors: list[str],
    artifacts: Path,
) -> None:
    stored = {"name": "李四", "籍贯": "浙江", "职业": "农民"}
    url, app = server(live_server, tmp_path, EXTRAS, stored)
    page.goto(url + "/")
    assert page.get_by_label("其他项目 1 的名称").input_value() == "籍贯"
    assert page.get_by_label("其他项目 2 的内容").input_value() == "农民"
    page.get_by_role("button", name="添加一项").click()
    page.wait_for_selector("#yf-_extra__2__key")
    page.get_by_label("其他项目 3 的名称").fill("民族")
    page.get_by_label("其他项目 3 的内容").fill("汉")
    page.screenshot(path=str(artifacts / "forms-extras.png"), full_page=True, caret="initial")
    page.get_by_role("button", name="删除其他项目 1").click()
    page.wait_for_selector("#yf-_extra__2__key", state="detached")
    assert page.get_by_label("其他项目 1 的名称").input_value() == "职业"
    page.get_by_label("其他项目 2 的内容").fill("汉族3")  # digits: the pattern refuses
    page.click("button.yf-submit")
    page.wait_for_selector(".yf-summary")
    assert page.locator("#yf-_extra__1__value-error").count() == 1  # the error at its row
    assert app.state.saved == []
    page.get_by_label("其他项目 2 的内容").fill("汉族")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    assert app.state.saved == [{"name": "李四", "职业": "农民", "民族": "汉族"}]
    assert console_errors == [], "\n".join(console_errors)

    url, app = server(live_server, tmp_path / "edit", EXTRAS, stored)
    submit_unchanged(page, url, app, stored)


def test_titled_choices_and_readable_labels(
    page: Any, live_server: Callable[[Any], str], tmp_path: Path, console_errors: list[str]
) -> None:
    url, app = server(live_server, tmp_path / "new", CHOICES)
    page.goto(url + "/")
    grade = page.get_by_label("纠纷等级")
    assert grade.evaluate("e => e.tagName") == "SELECT"  # a choice, not free text
    assert grade.locator("option").all_inner_texts() == ["请选择", "一般纠纷", "重大纠纷"]
    agreed = page.get_by_label("双方是否同意").locator("option").all_inner_texts()
    assert agreed == ["请选择", "是", "否", "空"]
    towns = page.get_by_label("发生地").locator("option").all_inner_texts()
    assert towns == ["请选择", "城关镇", "东溪乡"]
    grade.select_option(label="重大纠纷")
    page.get_by_label("双方是否同意").select_option(label="空")
    page.get_by_label("发生地").select_option(label="东溪乡")
    page.click("button.yf-submit")
    page.wait_for_url("**/saved/0")
    town = {"name": "东溪乡", "code": "330102201"}
    assert app.state.saved == [{"grade": "major", "agreed": None, "town": town}]
    shown = page.locator(".yf-view").inner_text()
    assert "重大纠纷" in shown and "东溪乡" in shown and "{" not in shown and "None" not in shown
    assert console_errors == [], "\n".join(console_errors)

    stored = {"grade": "general", "agreed": False, "town": town}
    url, app = server(live_server, tmp_path / "edit", CHOICES, stored)
    submit_unchanged(page, url, app, stored)


@pytest.mark.parametrize("name", SAMPLES)
def test_playground_sample_round_trips_in_chromium(
    name: str, page: Any, live_server: Callable[[Any], str], tmp_path: Path
) -> None:
    """The playground round trip with a real browser building the submission (the unit test
    in test_forms_roundtrip.py builds it from the HTML; this proves the two agree)."""
    case = sample(name)
    root = tmp_path / "attachments"
    stored = with_files(case["data"], forms.AttachmentStore(root))
    app = make_app(root, case["schema"], stored, case.get("ui"))
    submit_unchanged(page, live_server(app), app, stored)
