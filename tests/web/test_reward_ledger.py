"""The reward ledger and the per-mediator tables over HTTP (issue 22): a 鹿城 case mediated and
judicially confirmed through the engine, with no mediator field on any form, shows its mediator
in the monthly report and in the monthly reward ledger, exported as CSV; the ledger is monthly
and scoped like every figure. SQLite and PostgreSQL (YIDI_TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from tests.engine.test_mediators import LUCHENG, MONDAY, mediated_and_confirmed, publish
from tests.web.conftest import PASSWORD, login

MONTH = "period=month&day=2026-11-01"


def _setup(db: Engine) -> str:
    publish(db, LUCHENG)
    view = mediated_and_confirmed(Workflow(db, ManualClock(MONDAY)))
    create_user(
        db,
        "lc_leader",
        PASSWORD,
        display_name="区中心负责人",
        county="lucheng",
        memberships=[MembershipSpec("鹿城区中心", "负责人", None)],
    )
    create_user(
        db,
        "lc_street",
        PASSWORD,
        display_name="五马街道负责人",
        county="lucheng",
        memberships=[MembershipSpec("五马街道", "负责人", None)],
    )
    return view.code


def test_monthly_report_lists_the_mediator_without_a_form_field(
    db: Engine, client: TestClient
) -> None:
    _setup(db)
    assert login(client, "lc_leader") == 303
    html = client.get(f"/dashboards/meeting/monthly?{MONTH}").text
    table = html.split("调解员", 1)[1]
    assert "陈调解" in table
    assert "王法官" not in html  # the judge confirmed; he did not mediate


def test_the_reward_ledger_page_and_its_csv(db: Engine, client: TestClient) -> None:
    code = _setup(db)
    assert login(client, "lc_leader") == 303
    page = client.get(f"/dashboards/rewards?{MONTH}")
    assert page.status_code == 200
    assert "调解成功 每件 200 元" in page.text and "司法确认 每件 100 元" in page.text
    assert "合计 2 件，300 元" in page.text
    exported = client.get(f"/dashboards/export/rewards.csv?{MONTH}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "日期",
        "案件编号",
        "调解员",
        "工作室",
        "承办单位",
        "中心",
        "办理结果",
        "结果类别",
        "金额（元）",
    ]
    assert [(r[1], r[2], r[6], r[8]) for r in rows[1:]] == [
        (code, "陈调解", "调解成功", "200"),
        (code, "陈调解", "司法确认", "100"),
    ]
    xlsx = client.get(f"/dashboards/export/rewards.xlsx?{MONTH}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_ledger_is_monthly_and_scoped(db: Engine, client: TestClient) -> None:
    _setup(db)
    assert login(client, "lc_leader") == 303
    daily = client.get("/dashboards/rewards?period=day&day=2026-11-16")
    assert daily.status_code == 400
    assert "计件奖励按月结算" in daily.text
    assert "Traceback" not in daily.text
    assert (
        client.get("/dashboards/export/rewards.csv?period=week&day=2026-11-16").status_code == 400
    )
    december = client.get("/dashboards/export/rewards.csv?period=month&day=2026-12-01")
    assert december.content.decode("utf-8-sig").strip().count("\n") == 0  # header only
    client.cookies.clear()
    assert login(client, "lc_street") == 303
    street = client.get(f"/dashboards/export/rewards.csv?{MONTH}")
    assert street.status_code == 200
    assert "陈调解" not in street.content.decode("utf-8-sig")
