"""函件 in headless Chromium: the supervisor issues a 督办函 from the case page, prints it (print
media: the A4 sheet with the red header, the number, the addressee; page.pdf makes an A4 PDF),
and the 司法所 signs for it and answers it from its workbench."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine

from admin.accounts import MembershipSpec
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from server import create_app
from tests.letters.test_letters_web import make_user
from tests.letters.xiaogan_letters import COUNTY_CENTER, TOWN, intake, xiaogan
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.click('button:has-text("登录")')
    page.wait_for_url("**/inbox")


def test_issue_print_and_answer_a_letter_in_the_browser(
    page: Any, live_server: Any, settings: Any, db: DbEngine, tmp_path: Path
) -> None:
    versions.publish(db, xiaogan(), by="测试")
    clock = ManualClock(MONDAY)
    code = Engine(db, clock).receive("窗口", "xiaogan", **intake()).code
    make_user(db, "duban", MembershipSpec(COUNTY_CENTER, "督办员"), "督办员老周")
    make_user(db, "sfs", MembershipSpec(TOWN, "承办人", "司法所"), "司法所小李")
    app = create_app(settings, db)
    app.state.clock = clock
    base = live_server(app)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, base, "duban")
    page.goto(f"{base}/cases/{code}")
    page.click("#case-letters a.button")
    page.click("text=督办函")
    page.select_option("#to", f"{TOWN}|司法所")
    page.fill("#reason", "请于本周内组织调解。")
    page.click('button:has-text("签发")')
    page.wait_for_url("**/letters/1?did=issued")
    assert page.inner_text("#letter-number") == "孝综督函〔2026〕1号"

    page.click("text=打印（A4）")
    page.wait_for_url("**/letters/1/print")
    page.emulate_media(media="print")
    assert not page.is_visible("[data-print]")  # the tools are not printed
    assert page.inner_text("#letter-header") == "孝南区矛盾纠纷调处化解中心"
    assert page.inner_text("#print-number") == "孝综督函〔2026〕1号"
    assert page.inner_text("#print-addressee") == "司法所："
    assert page.inner_text("#print-date") == "2026年11月16日"
    red = page.eval_on_selector(".red-line", "e => getComputedStyle(e).borderTopColor")
    assert red == "rgb(204, 0, 0)"
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # one page, A4 (595 x 842 points) from the stylesheet's @page (page.pdf's default: Letter)
    assert re.findall(rb"/MediaBox \[([^\]]*)\]", pdf) == [b"0 0 594.95996 841.91998"]
    (tmp_path / "letter.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")

    page.context.clear_cookies()
    sign_in(page, base, "sfs")
    page.click("#letters-todo a")
    page.click("text=孝综督函〔2026〕1号")
    page.click('button:has-text("签收")')
    page.wait_for_url("**/letters/1?did=signed")
    assert "待回复" in page.inner_text("#letter-state")
    page.fill("#answer", "已于周三组织双方调解，达成协议。")
    page.click('button:has-text("提交回复")')
    page.wait_for_url("**/letters/1?did=answered")
    assert "已回复待销号" in page.inner_text("#letter-state")
    assert "达成协议" in page.inner_text("#letter-answer")
    assert [line.split(" · ")[1] for line in page.inner_text("#letter-history").splitlines()] == [
        "签发",
        "签收",
        "回复",
    ]
    assert errors == []
