"""Getting started (issue 18): which demo account to use for each step of the chain, computed
from the definitions, printed by `yidi serve`, shown at /start and copied in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

import dsl
import server
from admin.accounts import USERS
from admin.demo import create_demo_accounts
from admin.demo_chain import chain, chain_markdown
from engine.national_calendar import Snapshot, coverage_warning
from server import create_app
from tests.web.counties import DEFINITIONS, publish_xiaogan, xiaogan
from tests.web.flow import cast

ROOT = Path(__file__).resolve().parents[2]


def demo_models() -> list:
    return [
        dsl.compile_county(c) for c in sorted(DEFINITIONS.iterdir()) if (c / "county.yd").exists()
    ]


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start) : text.index(end)]


def test_the_xiaogan_chain_names_the_accounts_that_can_do_each_step() -> None:
    rows = [(r.step, r.username, r.role, r.place) for r in chain(xiaogan())]
    assert rows == [
        ("受理登记", "xiaogan13", "窗口人员", "书院街道"),
        ("派单", "xiaogan14", "调度员", "书院街道"),
        ("接单", "xiaogan21", "承办人员", "书院街道 · 司法所"),
        ("办理", "xiaogan21", "承办人员", "书院街道 · 司法所"),
        ("评单", "xiaogan18", "评单员", "书院街道"),
        ("核单", "xiaogan07", "回访员", "孝南区矛盾纠纷调处化解中心"),
        ("超时督办", "xiaogan05", "督办员", "孝南区矛盾纠纷调处化解中心"),
        ("配置台", "xiaoganadmin", "县级管理员", "孝感市"),
    ]


def test_the_chain_is_who_the_whole_path_test_signs_in_as(db: Engine) -> None:
    # tests/web/test_web_flow walks a case with these people: the table names the same ones.
    parts = cast(db)
    named = {r.step: r.username for r in chain(xiaogan())}
    assert parts["clerk"].username == named["受理登记"]
    assert parts["dispatcher"].username == named["派单"]
    assert parts["handler"].username == named["办理"]
    assert parts["evaluator"].username == named["评单"]
    assert parts["revisitor"].username == named["核单"]


def test_every_demo_county_has_an_account_for_every_step() -> None:
    for model in demo_models():
        missing = [r.step for r in chain(model) if not r.username]
        assert missing == [], (model.key, missing)


def test_docs_workbench_carries_the_computed_tables() -> None:
    text = (ROOT / "docs" / "workbench.md").read_text(encoding="utf-8")
    shown = between(text, "<!-- demo-chain:start -->\n", "<!-- demo-chain:end -->")
    assert shown == chain_markdown(demo_models())


def test_the_readme_names_the_xiaogan_chain() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(
        r"`(xiaogan\d+)`", between(text, "<!-- readme-chain -->", "<!-- /readme-chain -->")
    )
    computed = [r.username for r in chain(xiaogan()) if r.step != "配置台"]
    assert named == list(dict.fromkeys(computed))


def test_the_coverage_banner_points_at_a_readme_section_that_exists() -> None:
    from datetime import date

    banner = coverage_warning(Snapshot(), date(2099, 12, 1))
    assert banner is not None
    [section] = re.findall(r"README「([^」]+)」", banner)
    headings = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    assert any(section in heading for heading in headings), (section, headings)


def test_serve_prints_the_chain_not_a_list_of_every_account(
    db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    model = publish_xiaogan(db)
    accounts = create_demo_accounts(db, [model])
    server.print_demo_chains(db, len(accounts), "http://127.0.0.1:8000/start")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"已创建 {len(accounts)} 个演示账号")
    assert out[1] == "孝感市（xiaogan）："
    assert out[2].split() == ["受理登记", "xiaogan13", "窗口人员（书院街道）"]
    assert out[3].split() == ["派单", "xiaogan14", "调度员（书院街道）"]
    assert out[-1] == "这张表也在 http://127.0.0.1:8000/start（登录页有链接）。"
    assert len(out) == 1 + 1 + len(chain(model)) + 1


def test_the_start_page_shows_the_chain_and_the_login_page_links_to_it(
    page, live_server, settings, db: Engine
) -> None:
    publish_xiaogan(db)
    create_demo_accounts(db, [xiaogan()])
    base = live_server(create_app(settings, db))
    page.goto(base + "/login")
    page.get_by_role("link", name="开始使用").click()
    page.wait_for_url(base + "/start")
    table = page.locator("#county-xiaogan + table")
    rows = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    assert rows[0] == ["受理登记", "xiaogan13", "窗口人员", "书院街道"]
    assert rows[1] == ["派单", "xiaogan14", "调度员", "书院街道"]
    assert ["核单", "xiaogan07", "回访员", "孝南区矛盾纠纷调处化解中心"] in rows
    assert rows[-1] == ["配置台", "xiaoganadmin", "县级管理员", "孝感市"]
    assert "县级管理员" in page.inner_text("main") and "系统管理员" in page.inner_text("main")


def test_without_demo_data_there_is_no_start_page_and_no_link(
    page, live_server, settings, db: Engine
) -> None:
    publish_xiaogan(db)
    create_demo_accounts(db, [xiaogan()])
    with db.begin() as conn:  # a real installation: the demo accounts were switched off
        conn.execute(update(USERS).values(active=False))
    base = live_server(create_app(settings, db))
    page.goto(base + "/login")
    assert page.get_by_role("link", name="开始使用").count() == 0
    assert page.goto(base + "/start").status == 404
