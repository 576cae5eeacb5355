"""Dashboards over HTTP: numbers, scope, drill-down, exports, reports, errors.

The case set is tests/reports/dataset.py (November 2026), whose figures are worked out by hand
in tests/reports/test_report_figures.py; here we check that the pages show those numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from admin.dashboards import viewer as dash_viewer
from dsl.model import County
from engine.clock import ManualClock
from engine.tables import Case
from tests.reports.builders import TOP, TOWN_B, Seeder, demo_county, register_county
from tests.reports.dataset import november
from tests.web.conftest import PASSWORD, login

NOV = "period=month&day=2026-11-01"


@pytest.fixture
def county(monkeypatch: pytest.MonkeyPatch) -> County:
    model = demo_county()
    # the published-definition lookup is the engine's; here the county is built by hand
    monkeypatch.setattr(
        dash_viewer, "county_model", lambda db, code: model if code == model.key else None
    )
    return model


@pytest.fixture
def seeded(db: Engine, county: County) -> tuple[Seeder, dict[str, int]]:
    with db.begin() as conn:
        county_id, version_id = register_county(conn, county)
    seed = Seeder(db, county_id, version_id)
    return seed, november(seed)


@pytest.fixture
def signed_in(db: Engine, client: TestClient, county: County) -> Callable[..., TestClient]:
    def sign_in(username: str, *members: MembershipSpec, is_admin: bool = False) -> TestClient:
        create_user(
            db,
            username,
            PASSWORD,
            display_name=username,
            county=county.key,
            memberships=list(members),
            is_admin=is_admin,
        )
        assert login(client, username) == 303
        return client

    return sign_in


def metric(html: str, key: str) -> str:
    found = re.search(
        rf'data-metric="{key}">\s*<span class="metric-label">[^<]*</span>\s*'
        r'<span class="metric-value">([^<]*)</span>',
        html,
    )
    assert found, key
    return found.group(1)


def codes_in(html: str) -> set[str]:
    return set(re.findall(r'<a href="/cases/([A-Z]+-\d+-\d+)">', html))


def test_admin_sees_the_county_figures(seeded, signed_in) -> None:
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    response = client.get(f"/dashboards/?{NOV}")
    assert response.status_code == 200
    html = response.text
    assert metric(html, "received") == "7"
    assert metric(html, "on_time") == "50.0%"
    assert metric(html, "resolution") == "75.0%"
    assert metric(html, "satisfaction") == "66.7%"
    assert metric(html, "repeat_place") == "85.7%"
    assert "<svg" in html and "受理与办结趋势" in html
    assert "<script>" not in html  # charts are plain SVG: the CSP forbids inline script


def test_town_leader_sees_only_the_town(seeded, signed_in) -> None:
    client = signed_in("he", MembershipSpec(TOWN_B, "主任"))
    html = client.get(f"/dashboards/?{NOV}&dim=channel").text
    assert metric(html, "received") == "4"  # D E G J
    assert metric(html, "on_time") == "50.0%"  # J on time of J + D overdue
    assert "城关镇综治中心" not in html


def code_of(db: Engine, *ids: int) -> set[str]:
    with db.connect() as conn:
        return set(conn.execute(select(Case.code).where(Case.id.in_(ids))).scalars())


def test_drill_down_lists_the_cases_behind_a_number(seeded, signed_in, db: Engine) -> None:
    _, case = seeded
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    html = client.get(f"/dashboards/?{NOV}").text
    link = re.search(r'<a class="metric" href="([^"]+)" data-metric="on_time"', html)
    assert link
    listing = client.get(link.group(1).replace("&amp;", "&"))
    assert listing.status_code == 200
    assert '<strong id="total">3</strong>' in listing.text
    assert codes_in(listing.text) == code_of(db, case["A"], case["C"], case["J"])
    den = client.get(f"/dashboards/cases?{NOV}&metric=on_time&part=den")
    assert '<strong id="total">6</strong>' in den.text


def test_drill_down_respects_scope(seeded, signed_in) -> None:
    client = signed_in("he", MembershipSpec(TOWN_B, "主任"))
    # asking for 城关镇's subtree from 河口镇 finds nothing: scope is in the SQL
    html = client.get(f"/dashboards/cases?{NOV}&metric=received&dim=subtree&value=城关镇").text
    assert '<strong id="total">0</strong>' in html
    mine = client.get(f"/dashboards/cases?{NOV}&metric=received").text
    assert '<strong id="total">4</strong>' in mine


def test_csv_and_xlsx_exports(seeded, signed_in) -> None:
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    query = f"{NOV}&metric=mediation&part=den"
    response = client.get(f"/dashboards/export/cases.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["案件编号", "事项", "受理时间"]
    assert len(rows) == 3  # header + A + B (mediated and closed in November)
    assert "13800000001" not in response.text  # no phone numbers in ledgers
    xlsx = client.get(f"/dashboards/export/cases.xlsx?{query}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 3
    table = client.get(f"/dashboards/export/table.csv?{NOV}&dim=channel")
    lines = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["渠道", "受理数", "办结数"]
    by_channel = {line[0]: line for line in lines[1:]}
    assert by_channel["来访"][1] == "6"
    assert by_channel["12345热线"][1] == "1"


def test_meeting_reports(seeded, signed_in, db: Engine) -> None:
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    daily = client.get("/dashboards/meeting/daily?period=day&day=2026-11-03")
    assert daily.status_code == 200
    assert "日会商" in daily.text and "主要事项类型" in daily.text
    weekly = client.get("/dashboards/meeting/weekly?period=week&day=2026-11-04").text
    assert "周研判" in weekly and "2026年第45周" in weekly
    monthly = client.get(f"/dashboards/meeting/monthly?{NOV}").text
    assert "月分析" in monthly and "王五" in monthly and "老李调解工作室" in monthly
    assert "张*（138****0001）" in monthly  # repeat party, masked
    assert "13800000001" not in monthly
    assert "/static/dashboards.css" in monthly


def test_overdue_board(seeded, signed_in, db: Engine, app: Starlette) -> None:
    """The board reads the app's clock: at the clock's time (years from the system's), the
    late case is late and the one due in five hours is about to be."""
    seed, _ = seeded
    now = datetime(2030, 3, 1, 4, tzinfo=UTC)
    app.state.clock = ManualClock(now)
    late = seed.case(due_at=now - timedelta(hours=5), colour="红", supervised=True, leader="王县长")
    seed.case(due_at=now + timedelta(hours=5), colour="黄")
    seed.case(due_at=now + timedelta(days=9), colour="蓝")
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    html = client.get("/dashboards/overdue").text
    lanes = re.findall(r'data-colour="([^"]+)"', html)
    assert lanes[:2] == ["红", "黄"]
    assert "蓝" not in lanes
    assert "王县长" in html and "已超期" in html
    red = html.split('data-colour="红"')[1].split('data-colour="黄"')[0]
    assert codes_in(red) == code_of(db, late)
    export = client.get("/dashboards/export/overdue.csv")
    assert export.content.decode("utf-8-sig").splitlines()[0].startswith("案件编号,事项")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/dashboards/?period=year", "未知的统计周期"),
        ("/dashboards/?period=custom&day=2026-11-05&last=2026-11-01", "结束日期不能早于开始日期"),
        ("/dashboards/?dim=colour", "未知的统计维度"),
        ("/dashboards/cases?metric=nonsense", "未知的指标"),
        ("/dashboards/cases?metric=received&part=num", "计数指标"),
        ("/dashboards/cases?metric=received&page=0", "页码应为正整数"),
        ("/dashboards/export/cases.csv?metric=nonsense", "未知的指标"),
    ],
)
def test_bad_requests_get_a_clear_message(seeded, signed_in, path: str, message: str) -> None:
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.text
    assert "Traceback" not in response.text


def test_unknown_report_or_ledger_is_404(seeded, signed_in) -> None:
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    assert client.get("/dashboards/meeting/yearly").status_code == 404
    assert client.get("/dashboards/export/cases.pdf").status_code == 404


def test_login_required(seeded, client: TestClient) -> None:
    response = client.get("/dashboards/")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]


CELL = re.compile(
    r'<td data-metric="(\w+)"><a href="([^"]+)">([^<]+)</a>'
    r'(?: <a class="fraction" href="([^"]+)" title="[^"]*">(\d+)/(\d+)</a>)?</td>'
)


def listed(client: TestClient, link: str) -> int:
    html = client.get(link.replace("&amp;", "&")).text
    found = re.search(r'<strong id="total">(\d+)</strong>', html)
    assert found, link
    return int(found.group(1))


@pytest.mark.parametrize("dim", ["mediator"])
def test_every_number_drills_down_to_as_many_cases(seeded, signed_in, dim: str) -> None:
    """Each cell of the by-center roll-up and the by-dimension table links to a list whose
    length is the number shown (the county center's own row included)."""
    client = signed_in("boss", MembershipSpec(TOP, "主任"), is_admin=True)
    html = client.get(f"/dashboards/?{NOV}&dim={dim}").text
    assert "测试县综治中心（本级）" in html
    cells = CELL.findall(html)
    assert len(cells) > 40
    for key, link, shown, den_link, num, den in cells:
        if den_link:
            assert listed(client, link) == int(num), (key, link)
            assert listed(client, den_link) == int(den), (key, den_link)
        else:
            assert listed(client, link) == int(shown), (key, link)
