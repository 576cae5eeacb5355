"""The national holiday table's console page (/console/holidays) and the banner: county
administrators see it, only a system administrator imports (CSRF, audit), a bad file writes
nothing; the case page marks a deadline computed into an uncovered year.

The 2027 days are TEST DATA (测试假期), not the State Council's schedule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin import holiday_import
from admin.console.store import AUDIT
from admin.demo import demo_password
from engine import national_calendar
from engine.cases import Engine as Workflow
from engine.clock import CST, ManualClock
from engine.national_calendar import VERSIONS
from tests.console.conftest import login, make_admin
from tests.web.conftest import login as web_login
from tests.web.flow import cast

TEST_2027 = (
    "年度,日期,类型,名称\n"
    "2027,2027-01-01,放假,测试假期\n"
    "2027,2027-01-04,放假,测试假期\n"
    "2027,2027-01-09,上班,测试假期\n"
)
UNCOVERED = "该期限按未发布节假日安排的年份计算，可能不准"


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Iterator[None]:
    national_calendar.forget()
    yield
    national_calendar.forget()


@pytest.fixture
def clock(app: Any) -> ManualClock:
    found = ManualClock(datetime(2026, 12, 6, 10, tzinfo=CST))
    app.state.clock = found
    return found


def count(db: Engine, table: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def upload(client: TestClient, token: str, name: str, text: str) -> Any:
    return client.post(
        "/console/holidays/import",
        data={"csrf_token": token},
        files={"file": (name, text.encode("utf-8"))},
    )


def test_a_system_administrator_imports_and_the_banner_goes(
    client: TestClient, db: Engine, clock: ManualClock
) -> None:
    make_admin(db, "sys", "qingshan")
    holiday_import.grant(db, "sys", "测试")
    token = login(client, "sys", page="/console/holidays")
    page = client.get("/console/holidays").text
    assert 'id="national-warning"' in page and "2027 年的全国节假日安排" in page
    assert '<tr data-year="2027"><td>2027</td><td><span class="overdue">未覆盖' in page
    done = upload(client, token, "2027.csv", TEST_2027)
    assert done.status_code == 200, done.text[:500]
    assert "2027 年：第 1 版（新增 3 天，删除 0 天，改变 0 天）" in done.text
    assert "2027-01-09 上班（测试假期）" in done.text
    assert 'id="national-warning"' not in done.text
    assert "全国节假日表（第 1 版）" in done.text
    with db.connect() as conn:
        [audit] = conn.execute(select(AUDIT).where(AUDIT.c.action == "导入全国节假日")).all()
    assert (audit.county, audit.actor, audit.action) == ("*", "sys", "导入全国节假日")
    assert audit.after["2027"]["版本"] == 1
    # the banner is on every console page, and gone everywhere
    assert 'id="national-warning"' not in client.get("/console/audit").text


def test_a_second_import_says_which_days_were_added_removed_and_changed(
    client: TestClient, db: Engine, clock: ManualClock
) -> None:
    make_admin(db, "sys", "qingshan")
    holiday_import.grant(db, "sys", "测试")
    token = login(client, "sys", page="/console/holidays")
    upload(client, token, "2027.csv", TEST_2027)
    moved = TEST_2027.replace("2027-01-04,放假", "2027-01-05,放假").replace(
        "2027-01-09,上班,测试假期", "2027-01-09,上班,调休"
    )
    done = upload(client, token, "2027.csv", moved)
    assert "2027 年：第 2 版（新增 1 天，删除 1 天，改变 1 天）" in done.text
    listed = done.text[done.text.index('<ul class="day-changes">') :]
    listed = listed[: listed.index("</ul>")]
    assert listed.count("<li>") == 3
    assert "<li>新增：2027-01-05 放假（测试假期）</li>" in listed
    assert "<li>删除：2027-01-04 放假（测试假期）</li>" in listed
    assert "<li>改变：2027-01-09 上班（测试假期） → 2027-01-09 上班（调休）</li>" in listed


def test_without_the_csrf_token_nothing_is_imported(
    client: TestClient, db: Engine, clock: ManualClock
) -> None:
    make_admin(db, "sys", "qingshan")
    holiday_import.grant(db, "sys", "测试")
    login(client, "sys", page="/console/holidays")
    refused = upload(client, "forged", "2027.csv", TEST_2027)
    assert refused.status_code == 403
    assert count(db, VERSIONS) == 0 and count(db, AUDIT) == 1  # only the grant


def test_a_county_administrator_sees_the_table_but_may_not_import(
    client: TestClient, db: Engine, clock: ManualClock
) -> None:
    make_admin(db, "qs_admin", "qingshan")
    token = login(client, "qs_admin", page="/console/holidays")
    page = client.get("/console/holidays").text
    assert "导入需要系统管理员权限" in page and 'action="/console/holidays/import"' not in page
    assert 'id="national-warning"' in client.get("/console/files").text
    assert upload(client, token, "2027.csv", TEST_2027).status_code == 403
    assert count(db, VERSIONS) == 0


def test_a_bad_file_shows_every_problem_and_writes_nothing(
    client: TestClient, db: Engine, clock: ManualClock
) -> None:
    make_admin(db, "sys", "qingshan")
    holiday_import.grant(db, "sys", "测试")
    token = login(client, "sys", page="/console/holidays")
    bad = TEST_2027 + "2027,2027-01-06,上班,测试假期\n2027,2027-01-32,放假,测试假期\n"
    answer = upload(client, token, "2027.csv", bad)
    assert answer.status_code == 400
    assert "2027.csv 不能导入，什么也没有写入" in answer.text
    assert "第 5 行：2027-01-06 是星期三，本来就上班，不能作为调休上班日" in answer.text
    assert "第 6 行：日期「2027-01-32」无效" in answer.text
    assert count(db, VERSIONS) == 0 and count(db, AUDIT) == 1


def test_the_case_page_marks_a_due_time_computed_into_an_uncovered_year(
    client: TestClient, db: Engine
) -> None:
    people = cast(db)
    wf = Workflow(db, ManualClock(datetime(2026, 12, 31, 18, tzinfo=CST)))
    intake = {
        "channel": "来访",
        "category": "邻里纠纷",
        "severity": "一般",
        "location": "书院社区",
        "parties": [{"name": "张小明", "role": "申请人", "phone": "13800138000"}],
        "data": {
            "location": {"town": "书院街道", "village": "书院社区"},
            "summary": "邻居装修噪音扰民多次协商未果",
        },
    }
    marked = wf.receive("窗口", "xiaogan", **intake)
    holiday_import.import_file(db, "2027.csv", TEST_2027.encode("utf-8"), "测试")
    plain = wf.receive("窗口", "xiaogan", **intake)
    dispatcher = people["dispatcher"].username
    assert web_login(client, dispatcher, demo_password()) == 303
    first = client.get(f"/cases/{marked.code}").text
    assert UNCOVERED in first
    assert "2027-01-01 17:30" in first  # the due time as counted without the 2027 schedule
    second = client.get(f"/cases/{plain.code}").text
    assert "2027-01-05 17:30" in second and UNCOVERED not in second
