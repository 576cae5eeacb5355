"""The court link over HTTP (诉调对接): the court liaison records filing and result on the web
page, the court's system records them through the API (`POST /api/v1/cases/{code}/court`),
and a court referral pushed through the API runs on its own deadline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_api_key
from dsl import compile_county
from engine import versions
from engine.cases import Engine as Workflow
from engine.court_records import COURT_MATTER
from engine.scope import system
from engine.views import CaseView
from tests.engine.counties import person
from tests.web.conftest import csrf_of, login

RUGAO = Path(__file__).resolve().parents[2] / "definitions" / "rugao"
CITY, TOWN, VILLAGE = "如皋市中心", "如城街道", "东兴社区"
DISPATCHER = person("rugao", "d", (VILLAGE, "调度员", None), (VILLAGE, "窗口人员", None))
MEDIATOR = person("rugao", "m", (VILLAGE, "调解员", "人民调解委员会"))
PARTY = {"name": "冒一", "role": "申请人", "phone": "13800001111"}
DATA = {"location": {"town": TOWN}, "summary": "相邻宅基地排水沟堵塞引发争执"}
FACTS = {"channel": "来访", "category": "邻里纠纷", "severity": "一般"}


@pytest.fixture
def wf(db: Engine, app: Any, clock: Any) -> Workflow:
    versions.publish(db, compile_county(RUGAO), by="测试")
    return Workflow(db, clock)


@pytest.fixture
def auth(wf: Workflow, db: Engine) -> dict[str, str]:
    # The court's system records results and pushes its referrals (委派): both uses.
    key = create_api_key(db, "法院诉讼服务系统", "rugao", uses=("court", "intake"))
    return {"Authorization": f"Bearer {key}"}


def only(view: CaseView) -> int:
    [ticket] = [t for t in view.open_tickets() if t.kind != "supervision"]
    return ticket.id


def at_court(wf: Workflow) -> CaseView:
    view = wf.receive("窗口", "rugao", **FACTS, location=VILLAGE, parties=[PARTY], data=DATA)
    form = {**DATA, **FACTS, "parties": [PARTY]}
    view = wf.act(DISPATCHER, only(view), "转后台", form)
    view = wf.act(DISPATCHER, only(view), "派单", {"office": "人民调解委员会"})
    return wf.act(MEDIATOR, only(view), "转速裁", {"channel": "速裁"})


def matters(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(COURT_MATTER)).scalar_one())


def act(client: TestClient, code: str, action: str, fields: dict[str, str]) -> Any:
    page = client.get(f"/cases/{code}").text
    found = re.search(rf'href="(/tickets/\d+/act/[^"]+)">{action}<', page)
    assert found, f"no action {action} on {code}"
    url = found.group(1)
    token = csrf_of(client, url)
    return client.post(url, data={**fields, "csrf_token": token})


def test_the_liaison_records_the_court_on_the_web(client, wf, db, make_user):
    view = at_court(wf)
    make_user("liaison", MembershipSpec(CITY, "法院联络员", "法院"), county="rugao")
    assert login(client, "liaison") == 303
    assert view.code in client.get("/inbox").text
    page = client.get(f"/cases/{view.code}").text
    assert "等待法院" in page and "移送法院" in page
    bad = act(client, view.code, "登记法院立案", {"court_case_number": "（2026）苏0682民初9号",
              "filed_on": "11月3日"})  # fmt: skip
    assert bad.status_code in (400, 422) and "立案日期" in bad.text
    assert "Traceback" not in bad.text
    filed = act(client, view.code, "登记法院立案", {"court_case_number": "（2026）苏0682民初9号",
                "filed_on": "2026-11-18"})  # fmt: skip
    assert filed.status_code == 303, filed.text
    page = client.get(f"/cases/{view.code}").text
    assert "法院立案" in page and "（2026）苏0682民初9号" in page and "等待法院" in page
    done = act(client, view.code, "登记法院结果", {"disposition": "结案", "result": "判决结案"})
    assert done.status_code == 303, done.text
    with db.connect() as conn:
        row = conn.execute(select(COURT_MATTER)).one()
    assert (row.decision, row.court_case_number) == ("closed", "（2026）苏0682民初9号")
    assert wf.case(system("测试", "rugao"), view.code).status == "closed"


def test_the_courts_system_records_through_the_api(client, wf, db, auth):
    view = at_court(wf)
    url = f"/api/v1/cases/{view.code}/court"
    assert client.post(url, json={"record": "filing"}).status_code == 401
    wrong = client.post(url, json={"record": "判决"}, headers=auth)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "record"
    bad_day = client.post(
        url, json={"record": "filing", "court_case_number": "（2026）苏0682民初7号",
                   "filed_on": "2026-13-40"}, headers=auth)  # fmt: skip
    assert bad_day.status_code == 422, bad_day.text
    assert "立案日期" in bad_day.text and matters(db) == 1
    ancient = {
        "record": "filing",
        "court_case_number": "（2026）苏0682民初7号",
        "filed_on": "0001-01-01",
    }
    refused = client.post(url, json=ancient, headers=auth)
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "filed_on"
    extra = client.post(
        url, json={"record": "hearing", "hearing_on": "2026-11-25", "法官": "王"}, headers=auth
    )
    assert extra.status_code == 422 and extra.json()["errors"][0]["path"] == "法官"
    filed = client.post(
        url, json={"record": "filing", "court_case_number": "（2026）苏0682民初7号",
                   "filed_on": "2026-11-18"}, headers=auth)  # fmt: skip
    assert filed.status_code == 200, filed.text
    body = filed.json()
    assert (body["status"], body["step"]) == ("open", "等待法院")
    assert body["court"]["court_case_number"] == "（2026）苏0682民初7号"
    assert body["court"]["after_failed_mediation"] is True
    heard = client.post(url, json={"record": "hearing", "hearing_on": "2026-11-25"}, headers=auth)
    assert heard.status_code == 200 and heard.json()["court"]["hearing_at"].startswith("2026-11-24")
    wrong_kind = client.post(
        url, json={"record": "confirmation", "decision": "确认有效"}, headers=auth
    )
    assert wrong_kind.status_code == 409 and "登记确认结果" in wrong_kind.json()["message"]
    result = {"record": "result", "disposition": "结案", "result": "速裁调解结案"}
    closed = client.post(url, json=result, headers=auth)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["court"]["decision"] == "closed"
    again = client.post(url, json=result, headers=auth)
    assert again.status_code == 409 and "没有等待法院处理的事项" in again.json()["message"]
    unknown = client.post("/api/v1/cases/RG-2026-999999/court", json=result, headers=auth)
    assert unknown.status_code == 404


def test_a_key_of_another_county_cannot_record(client, wf, db, auth):
    from tests.web.counties import publish_xiaogan

    view = at_court(wf)
    publish_xiaogan(db)
    key = create_api_key(db, "孝感法院系统", "xiaogan", uses=("court",))
    other = {"Authorization": f"Bearer {key}"}
    answer = client.post(
        f"/api/v1/cases/{view.code}/court",
        json={"record": "result", "disposition": "结案", "result": "判决结案"},
        headers=other,
    )
    assert answer.status_code == 404
    assert wf.case(system("测试", "rugao"), view.code).status == "open"


def test_a_court_referral_pushed_through_the_api_has_its_own_deadline(client, wf, auth):
    facts = {"channel": "法院委派", "category": "物业纠纷", "severity": "一般"}
    body = {"location": VILLAGE, "data": {**DATA, **facts, "parties": [PARTY]}}
    pushed = client.post("/api/v1/cases", json=body, headers=auth)
    assert pushed.status_code == 201, pushed.text
    found = pushed.json()
    received = datetime.fromisoformat(found["received_at"])
    assert datetime.fromisoformat(found["due_at"]) - received == timedelta(days=30)
    assert found["channel"] == "法院委派"


def test_the_openapi_document_describes_the_court_record(client, auth):
    doc = client.get("/openapi.json", headers=auth).json()
    operation = doc["paths"]["/api/v1/cases/{code}/court"]["post"]
    assert set(operation["responses"]) >= {"200", "401", "404", "409", "422"}
    assert doc["components"]["schemas"]["CourtIn"]["properties"]["record"]["enum"] == [
        "filing",
        "hearing",
        "result",
        "confirmation",
    ]


AGREED = {
    "method": "人民调解",
    "result": "化解成功",
    "notes": "双方签订调解协议，约定分期付款",
    "judicial_confirmation": True,
}


def test_a_refused_confirmation_reopens_at_the_declared_step(client, wf, db, auth):
    view = wf.receive("窗口", "rugao", **FACTS, location=VILLAGE, parties=[PARTY], data=DATA)
    view = wf.act(DISPATCHER, only(view), "转后台", {**DATA, **FACTS, "parties": [PARTY]})
    view = wf.act(DISPATCHER, only(view), "派单", {"office": "人民调解委员会"})
    view = wf.act(MEDIATOR, only(view), "调解成功", AGREED)
    assert (view.status, view.step) == ("open", "待司法确认")
    url = f"/api/v1/cases/{view.code}/court"
    filing = {
        "record": "filing",
        "court_case_number": "（2026）苏0682民特1号",
        "filed_on": "2026-11-18",
    }
    assert client.post(url, json=filing, headers=auth).status_code == 409  # not for a confirmation
    refused = client.post(
        url,
        json={"record": "confirmation", "decision": "不予确认", "result": "超出范围"},
        headers=auth,
    )
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["step"]) == (
        "open",
        "调解",
    )  # 退回调解 -> 调解
    assert refused.json()["court"]["decision"] == "refused"
    view = wf.act(MEDIATOR, only(wf.case(system("测试", "rugao"), view.code)), "调解成功", AGREED)
    confirmed = client.post(
        url, json={"record": "confirmation", "decision": "确认有效"}, headers=auth
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "closed"
    assert matters(db) == 2


def test_the_dashboard_shows_the_court_figures(client, wf, db, auth, make_user, clock):
    code = at_court(wf).code
    result = {"record": "result", "disposition": "结案", "result": "判决结案"}
    assert client.post(f"/api/v1/cases/{code}/court", json=result, headers=auth).status_code == 200
    make_user("leader", MembershipSpec(CITY, "负责人"), county="rugao")
    assert login(client, "leader") == 303
    day = clock.now().date().isoformat()
    page = client.get(f"/dashboards/?period=month&day={day}")
    assert page.status_code == 200, page.text
    assert "诉源治理" in page.text
    shown = dict(
        re.findall(
            r'data-metric="(\w+)">\s*<span class="metric-label">[^<]*</span>\s*'
            r'<span class="metric-value">([^<]*)</span>',
            page.text,
        )
    )
    assert (shown["hand_offs"], shown["after_failed_mediation"], shown["court_closed"]) == (
        "1",
        "1",
        "1",
    )
    assert shown["referral_success"] == "—"
