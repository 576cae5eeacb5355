"""The constructs issue 15 found inert, each doing what it says through the web (the real app
over HTTP, as the staff who would), on both backends, with the 惰性县 definition:
a diversion waits for the channel's outcome (回告) unless 无需回告; an on-call office is called
in; the dashboards add offices up by kind; a failed revisit goes back to its 不通过 step."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine.tables import CASE, EVENT
from tests.support import csrf_of
from tests.web.inert_county import CONTACT, COURT, PASSWORD, TOWN, publish
from tests.web.test_web_rules import act, acted, action_url, open_tickets


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def register(client: TestClient, category: str) -> str:
    sign_in(client, "dx_clerk")
    token = csrf_of(client, "/intake")
    fields = {
        "category": category,
        "severity": "一般",
        "location/town": TOWN,
        "summary": "双方争执多次协商未果",
        "_channel": "来访",
        "_window": "综合窗口|县中心",
        "_visits": "1",
        "csrf_token": token,
    }
    response = client.post("/intake", data=fields)
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["location"]).text
    return re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt).group(1)


def case_row(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).one()


def notes(db: Engine, code: str, kind: str) -> list[str]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.note)
                .join(CASE, CASE.c.id == EVENT.c.case_id)
                .where(CASE.c.code == code, EVENT.c.kind == kind)
                .order_by(EVENT.c.id)
            ).scalars()
        )


@pytest.fixture
def county(db: Engine) -> Any:
    return publish(db)


def test_a_diversion_that_needs_its_outcome_waits_for_the_report_then_closes(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "劳动争议")
    sign_in(client, "dx_center")
    acted(client, code, "已引导", {"channel": "劳动仲裁"})
    # Not closed: the case waits, clearly, for the arbitration's outcome.
    row = case_row(db, code)
    assert (row.status, row.step, row.diversion) == ("open", "待回告", "劳动仲裁")
    assert open_tickets(db, code) == [("待回告", "县中心", "综治中心")]
    assert "回告单" in client.get("/inbox").text
    page = client.get(f"/cases/{code}").text
    assert "须登记去向结果（回告）" in page and "待回告" in page
    # The 回告 needs the outcome itself: an empty one is refused in Chinese, nothing written.
    empty = act(client, code, "登记去向结果（回告）", {"outcome": ""})
    assert empty.status_code == 422 and "去向结果" in empty.text
    assert case_row(db, code).status == "open"
    acted(client, code, "登记去向结果（回告）", {"outcome": "仲裁委已立案受理"})
    assert case_row(db, code).status == "closed"
    assert notes(db, code, "diversion_reported") == ["回告：仲裁委已立案受理"]
    assert "回告：仲裁委已立案受理" in client.get(f"/cases/{code}").text


def test_an_outcome_given_when_diverting_closes_at_once(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "劳动争议")
    sign_in(client, "dx_center")
    acted(client, code, "已引导", {"channel": "劳动仲裁", "outcome": "仲裁委当场受理"})
    assert (case_row(db, code).status, open_tickets(db, code)) == ("closed", [])


def test_a_diversion_without_outcome_closes_without_a_report(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "劳动争议")
    sign_in(client, "dx_center")
    acted(client, code, "已引导", {"channel": "诉讼"})
    row = case_row(db, code)
    assert (row.status, row.diversion) == ("closed", "诉讼")
    assert open_tickets(db, code) == []
    assert "无需回告" in client.get(f"/cases/{code}").text


def test_an_on_call_office_is_called_in_and_its_pages_say_so(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "涉诉纠纷")
    assert open_tickets(db, code) == [("调解", "县中心", "法院")]
    called = f"「{COURT}」随叫随驻，已通知到场办理「调解」（联系：{CONTACT}）"
    assert notes(db, code, "called_in") == [called]
    sign_in(client, "dx_court")
    note = f"{COURT}（随叫随驻：不在中心值守，有案件时通知到场，联系：{CONTACT}）"
    assert note in client.get("/inbox").text
    page = client.get(f"/cases/{code}").text
    assert "通知到场" in page
    assert "随叫随驻" in client.get(action_url(client, code, "化解")).text
    # The clerk registering such a case is told before saving who must be called in.
    sign_in(client, "dx_clerk")
    token = csrf_of(client, "/intake")
    fields = {"category": "涉诉纠纷", "severity": "一般", "location/town": TOWN}
    hint = client.post("/intake/route", data={**fields, "csrf_token": token})
    assert (
        hint.status_code == 200
        and f"随叫随驻：不在中心值守，有案件时通知到场，联系：{CONTACT}" in hint.text
    )
    # A resident office's case is not "called in".
    other = register(client, "邻里纠纷")
    assert notes(db, other, "called_in") == []


def test_the_dashboards_add_offices_up_by_kind(client: TestClient, db: Engine, county: Any) -> None:
    court = register(client, "涉诉纠纷")
    town = register(client, "邻里纠纷")
    labour = register(client, "劳动争议")
    sign_in(client, "dx_admin")
    month = "period=month&day=" + str(case_row(db, court).received_at.date())
    html = client.get(f"/dashboards/?{month}&dim=office_kind").text.replace("&amp;", "&")
    assert '<option value="office_kind" selected>单位类型</option>' in html
    for kind in ("法院", "司法", "综治"):  # one row per kind, its cases a link away
        assert f"metric=received&part=den&dim=office_kind&value={quote(kind)}" in html, kind
    listed = client.get(f"/dashboards/cases?{month}&metric=received&dim=office_kind&value=法院")
    assert listed.status_code == 200
    assert court in listed.text and town not in listed.text and labour not in listed.text
    sheet = client.get(f"/dashboards/export/table.csv?{month}&dim=office_kind")
    assert sheet.status_code == 200 and "法院" in sheet.text and "单位类型" in sheet.text
    judicial = client.get(f"/dashboards/cases?{month}&metric=received&dim=office_kind&value=司法")
    assert town in judicial.text and court not in judicial.text


def test_a_failed_revisit_goes_back_to_its_fail_step(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "邻里纠纷")
    sign_in(client, "dx_town")
    acted(client, code, "化解", {"notes": "双方达成和解"})
    sign_in(client, "dx_visitor")
    acted(client, code, "核查不通过", {"settled": "false", "_reason": "回访发现仍在争吵"})
    assert open_tickets(db, code) == [("调解", TOWN, "司法所")]
    assert notes(db, code, "verification_failed") == ["核查不通过，回到「调解」重新办理（回访）"]
    assert "核查不通过" in client.get(f"/cases/{code}").text
    sign_in(client, "dx_town")
    acted(client, code, "化解", {"notes": "再次调解，双方签订协议"})
    # 办结 with the revisit form saying 「矛盾已实质化解：否」 is the same failure, not a close.
    sign_in(client, "dx_visitor")
    acted(client, code, "办结", {"settled": "false", "notes": "仍未履行"})
    assert open_tickets(db, code) == [("调解", TOWN, "司法所")]
    assert case_row(db, code).reopenings == 2
    sign_in(client, "dx_town")
    acted(client, code, "化解", {"notes": "已履行协议"})
    sign_in(client, "dx_visitor")
    acted(client, code, "办结", {"settled": "true", "notes": "已履行"})
    row = case_row(db, code)
    assert (row.status, row.verified) == ("closed", True)
