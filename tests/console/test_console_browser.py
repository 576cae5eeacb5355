"""The console in headless Chromium: a mistake shown inline at its line while typing, fixed
and published; a running case keeps its version; a village list with one bad row imported;
a user created who can then log in with the right scope. Screenshots go to test-artifacts/
(docs/console.md shows copies of them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.applications import Starlette

from admin.console import store
from engine.tables import Case
from tests.console.conftest import PASSWORD
from tests.console.county import files, line_of
from tests.console.test_console_versions import receive_case, version_of

pytestmark = pytest.mark.browser

MISTAKE = ("表单 办理情况\n", "表单 办理情况表\n")


@pytest.fixture
def site(live_server: Callable[[Any], str], app: Starlette, qingshan: Engine) -> str:
    return live_server(app)


@pytest.fixture
def errors_seen(page: Any) -> list[str]:
    """CSP refusals (an inline script or style) reported in the browser console."""
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def sign_in(page: Any, site: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"console-{name}.png"), full_page=True)


def test_inline_error_at_its_line_then_fix_and_publish(
    page: Any, site: str, qingshan: Engine, artifacts: Path, errors_seen: list[str]
) -> None:
    code = receive_case(qingshan)  # a running case on version 1
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/files/edit?path=county.yd")
    broken = files()["county.yd"].replace(*MISTAKE)
    wrong_line = line_of(broken, "办理情况表")
    page.fill("#source", broken)  # fires `input`; htmx checks after 400 ms of quiet
    marked = page.locator(f'#gutter .ln.error[data-line="{wrong_line}"]')
    marked.wait_for()
    note = page.locator(f'#notes .note.error[data-line="{wrong_line}"]')
    assert note.inner_text() == (
        "未定义的表单「办理情况表」（找不到 forms/办理情况表.json）（您是不是要写「办理情况」？）"
    )
    assert page.locator("#gutter .ln.error").count() == 1
    # Clicking the problem jumps to the line; numbers and messages scroll with the text.
    page.click(f'a.goto[data-line="{wrong_line}"]')
    page.wait_for_function(
        "() => document.getElementById('gutter').scrollTop === "
        "document.getElementById('source').scrollTop && "
        "document.getElementById('source').scrollTop > 0"
    )
    editor, box = page.locator(".editor").bounding_box(), note.bounding_box()
    assert editor is not None and box is not None
    assert editor["y"] <= box["y"] <= editor["y"] + editor["height"] - box["height"]
    shot(page, artifacts, "inline-error")

    page.fill("#source", files()["county.yd"].replace("较大 20 天", "较大 15 天"))
    page.locator(".check-ok").wait_for()
    assert page.locator("#gutter .ln.error").count() == 0
    page.click("text=保存草稿")
    page.locator("text=草稿已保存").wait_for()
    page.goto(f"{site}/console/versions")
    assert "较大 15 天" in page.locator("pre.diff").inner_text()
    shot(page, artifacts, "publish-diff")
    page.click("#publish")  # the note is required: the browser keeps the form
    assert page.locator("#publish-confirm").count() == 0
    page.fill("#release-note", "较大事项时限改为 15 天")
    page.click("#publish")
    page.locator("#publish-confirm").wait_for()
    assert "确认发布第 2 版" in page.locator("#confirm-publish").inner_text()
    page.click("#confirm-publish")
    page.locator("#publish-notice").wait_for()
    assert "已发布第 2 版" in page.locator("#publish-notice").inner_text()
    history = page.locator("#history tbody tr")
    assert history.nth(0).get_attribute("data-version") == "2"
    assert history.nth(0).locator("td").nth(1).inner_text() == "qs_admin"
    assert history.nth(0).locator("td.release-note").inner_text() == "较大事项时限改为 15 天"
    # The case received before publishing is still pinned to version 1.
    assert history.nth(1).locator("td.running").inner_text() == "1"
    assert history.nth(0).locator("td.running").inner_text() == "0"
    versions = {n: i for i, n in _numbers(qingshan)}
    assert version_of(qingshan, code) == versions[1]
    shot(page, artifacts, "published")
    assert errors_seen == []


def _numbers(db: Engine) -> list[tuple[int, int]]:
    versions = store.VERSIONS
    with db.connect() as conn:
        return [(r.id, r.number) for r in conn.execute(select(versions.c.id, versions.c.number))]


def test_import_a_village_list_with_one_bad_row(
    page: Any, site: str, qingshan: Engine, artifacts: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "村名单.csv"
    listing.write_text(
        "名称,层级,上级,标签\n东门村,村,城关镇,\n西门村,村,城关镇,\n北村,乡,城关镇,\n", "utf-8"
    )
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/import")
    page.set_input_files("#import-centers input[type=file]", str(listing))
    page.click("#import-centers button[type=submit]")
    bad = page.locator("tr.bad")
    bad.wait_for()
    assert bad.count() == 1
    assert bad.get_attribute("data-row") == "4"
    assert "层级“乡”不存在" in bad.locator("td.row-error").inner_text()
    assert store.drafts(qingshan, "qingshan") == {}  # nothing saved by the preview
    shot(page, artifacts, "import-preview")
    page.click("#confirm-import")
    page.locator("#import-result").wait_for()
    assert "已导入 2 行，跳过 1 行有误的" in page.locator("#import-result").inner_text()
    page.goto(f"{site}/console/views/org")
    tree = page.locator(".tree").inner_text()
    assert "东门村" in tree and "西门村" in tree and "北村" not in tree
    shot(page, artifacts, "org-tree")


def test_created_user_logs_in_with_the_right_scope(
    page: Any, site: str, qingshan: Engine, artifacts: Path
) -> None:
    here = receive_case(qingshan)  # at 城关镇
    elsewhere = _receive_at(qingshan, "河口镇")  # not this dispatcher's town
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/accounts")
    form = page.locator("#new-account")
    form.locator("input[name=username]").fill("cg_dispatch")
    form.locator("input[name=display_name]").fill("城关调度员")
    form.locator("input[name=password]").fill("Chengguan-2026")
    form.locator("select[name=center]").select_option("城关镇")
    form.locator("select[name=role]").select_option("调度员")
    shot(page, artifacts, "new-account")
    form.locator("button[type=submit]").click()
    page.locator("text=账号 cg_dispatch 已创建").wait_for()
    page.click("text=退出")
    sign_in(page, site, "cg_dispatch", "Chengguan-2026")
    page.goto(f"{site}/inbox")
    inbox = page.locator("main").inner_text()
    assert here in inbox and elsewhere not in inbox
    shot(page, artifacts, "new-user-inbox")
    response = page.goto(f"{site}/console/files")
    assert response is not None and response.status == 403


def _receive_at(db: Engine, town: str) -> str:
    from engine.cases import Engine as Workflow

    view = Workflow(db).receive(
        "console-test",
        "qingshan",
        channel="来访",
        category="婚姻家庭",
        severity="一般",
        location=town,
        parties=[{"name": "赵六"}],
        data={"事由": "赡养费纠纷", "联系电话": "13900139000"},
    )
    with db.connect() as conn:
        assert conn.execute(select(Case.center).where(Case.code == view.code)).scalar_one() == town
    return str(view.code)
