"""函件 in the workbench (in-process app, both backends): issued from a case page, found in the
addressee's workbench and the searchable list, signed for, answered, closed; printable; scoped;
bad input answered in Chinese with nothing written; counted in the figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine import timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.letter_tables import LETTER
from tests.letters.xiaogan_letters import COUNTY_CENTER, TOWN, intake, xiaogan
from tests.support import csrf_of
from tests.web.conftest import PASSWORD, login

MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)


def make_user(db: DbEngine, username: str, member: MembershipSpec, display_name: str) -> None:
    create_user(
        db, username, PASSWORD, display_name=display_name, county="xiaogan", memberships=[member]
    )


@pytest.fixture
def xg(app: Any, db: DbEngine) -> dict[str, Any]:
    versions.publish(db, xiaogan(), by="测试")
    clock = ManualClock(MONDAY)
    app.state.clock = clock
    case = Engine(db, clock).receive("窗口", "xiaogan", **intake())
    make_user(db, "duban", MembershipSpec(COUNTY_CENTER, "督办员"), display_name="督办员老周")
    make_user(db, "sfs", MembershipSpec(TOWN, "承办人", "司法所"), display_name="司法所小李")
    make_user(db, "sfs2", MembershipSpec("新华街道", "承办人", "司法所"), display_name="新华司法所")
    return {"case": case.code, "clock": clock}


def post(client: TestClient, path: str, data: dict[str, str], page: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)})


def issue(client: TestClient, code: str, **data: str) -> Any:
    form = {"case": code, "kind": "督办函", "to": f"{TOWN}|司法所", "reason": "请加快办理。"}
    form.update(data)
    return post(client, "/letters/new", form, f"/letters/new?case={code}&kind=督办函")


def count_letters(db: DbEngine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(LETTER)).scalar_one())


def test_issue_sign_answer_close_through_the_web(
    client: TestClient, db: DbEngine, xg: dict[str, Any]
) -> None:
    code = xg["case"]
    assert login(client, "duban") == 303
    case_page = client.get(f"/cases/{code}").text
    assert f'href="/letters/new?case={code}"' in case_page
    choose = client.get(f"/letters/new?case={code}").text  # both kinds may go from a case
    assert "督办函" in choose and "风险预警函" in choose
    form = client.get(f"/letters/new?case={code}&kind=督办函").text
    assert f'<option value="{TOWN}|司法所" selected>' in form and "5 个工作日" in form
    done = issue(client, code)
    assert done.status_code == 303 and done.headers["location"] == "/letters/1?did=issued"
    page = client.get(done.headers["location"]).text
    assert "孝综督函〔2026〕1号" in page and "函件已签发。" in page and "待签收" in page
    assert "司法所：" in page and "张小明的邻里纠纷" in page
    assert "签收</button>" not in page  # the issuer does not sign for it
    assert "签发函件" in client.get(f"/cases/{code}").text  # on the case timeline too
    printed = client.get("/letters/1/print").text
    assert 'id="print-number">孝综督函〔2026〕1号<' in printed
    assert 'id="letter-header">孝南区矛盾纠纷调处化解中心<' in printed
    assert "2026年11月16日" in printed and "（盖章）" in printed

    client.cookies.clear()
    assert login(client, "sfs") == 303
    inbox = client.get("/inbox").text
    assert "有 1 份函件待签收或回复" in inbox
    todo = client.get("/letters?box=todo").text
    assert "孝综督函〔2026〕1号" in todo
    assert post(client, "/letters/1/sign", {}, "/letters/1").status_code == 303
    assert "待回复" in client.get("/letters/1?did=signed").text
    answer = "已约双方当事人周三到司法所调解。<script>alert(1)</script>"
    assert post(client, "/letters/1/answer", {"answer": answer}, "/letters/1").status_code == 303
    page = client.get("/letters/1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "已回复待销号" in page
    assert "有 1 份函件" not in client.get("/inbox").text

    client.cookies.clear()
    assert login(client, "duban") == 303
    assert "有 1 份函件已回复，待销号" in client.get("/inbox").text
    assert post(client, "/letters/1/close", {}, "/letters/1").status_code == 303
    assert "待销号" not in client.get("/inbox").text
    page = client.get("/letters/1").text
    assert "已销号" in page
    history = page.split('id="letter-history"')[1]
    words = re.findall(r"· (签发|签收|回复|闭环销号) ·", history)
    assert words == ["签发", "签收", "回复", "闭环销号"]
    figures = client.get("/letters/figures").text
    row = figures.split("<tbody>")[1]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == ["督办函", "司法所", "1", "1", "0", "1"]


def test_scope_csrf_and_bad_input(client: TestClient, db: DbEngine, xg: dict[str, Any]) -> None:
    code = xg["case"]
    assert login(client, "duban") == 303
    token = csrf_of(client, "/letters/new")
    no_csrf = client.post("/letters/new", data={"case": code, "kind": "督办函"})
    assert no_csrf.status_code == 403
    refused = [
        ({"to": ""}, "请选择收件单位"),
        ({"to": "书院街道|信访局"}, "督办函不能发往「书院街道 信访局」"),
        ({"kind": "催办函"}, "本县区没有声明函件类型「催办函」"),
        ({"reason": "长" * 1001}, "事由不能超过 1000 字（现有 1001 字）"),
        ({"case": ""}, "督办函的正文引用案件信息，须从案件页签发"),
    ]
    for changes, message in refused:
        answer = issue(client, code, **changes)
        assert answer.status_code == 422, changes
        assert message in answer.text
    assert issue(client, "XG-2026-999999").status_code == 404
    assert count_letters(db) == 0
    assert token
    assert issue(client, code).status_code == 303

    client.cookies.clear()
    assert login(client, "sfs2") == 303  # 司法所 of another town
    assert client.get("/letters/1").status_code == 404
    assert client.get("/letters/1/print").status_code == 404
    assert post(client, "/letters/1/sign", {}, "/letters").status_code == 404
    assert "孝综督函" not in client.get("/letters").text
    assert client.get("/letters/new").status_code == 403  # may not issue any kind

    client.cookies.clear()
    assert login(client, "sfs") == 303
    empty = post(client, "/letters/1/answer", {"answer": "  "}, "/letters/1")
    assert empty.status_code == 422 and "请填写回复内容" in empty.text
    close = post(client, "/letters/1/close", {}, "/letters/1")
    assert close.status_code == 409 and "只有发文中心的签发人员才能销号" in close.text


def test_the_list_searches_counts_and_shows_overdue(
    client: TestClient, db: DbEngine, xg: dict[str, Any]
) -> None:
    code = xg["case"]
    assert login(client, "duban") == 303
    for _ in range(2):
        assert issue(client, code).status_code == 303
    warning = {"kind": "风险预警函", "to": f"{TOWN}|人民调解委员会", "reason": "宅基地纠纷"}
    assert post(client, "/letters/new", warning, "/letters/new").status_code == 303
    listed = client.get("/letters").text
    assert 'id="count-issued">3<' in listed
    found = client.get("/letters?number=预警").text
    assert "孝综预警函〔2026〕1号" in found and "孝综督函" not in found.split("<table")[1]
    by_office = client.get("/letters?office=司法所").text.split("<table")[1]
    assert "孝综督函〔2026〕2号" in by_office and "孝综预警函" not in by_office
    # the worker marks them overdue when their deadline passes (3 and 5 working days)
    xg["clock"].set(MONDAY + timedelta(days=7))
    timers.fire_due(db, xg["clock"], timers.DEFAULT_DISPATCHER)
    overdue = client.get("/letters?status=overdue").text
    assert 'id="count-overdue">3<' in overdue
    assert overdue.count('<tr class="overdue">') == 3
    assert "逾期未回复" in client.get("/letters/1").text
    assert "本中心发出的函件有 3 份逾期未回复" in client.get("/inbox").text
    assert "函件逾期未回复" in client.get(f"/cases/{code}").text


def test_the_console_lists_the_countys_letter_kinds(client: TestClient, db: DbEngine) -> None:
    versions.publish(db, xiaogan(), by="测试")
    create_user(
        db, "xgadmin", PASSWORD, display_name="管理员", county="xiaogan",
        memberships=[MembershipSpec(center="-", role="管理员")], is_admin=True,
    )  # fmt: skip
    assert login(client, "xgadmin") == 303
    html = client.get("/console/views/processes").text
    table = html.split('id="letter-kinds"')[1].split("</section>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", table)
    assert [r.split("</td><td>") for r in rows] == [
        ["督办函", "孝综督函〔{年}〕{号}号", "司法所、人民调解委员会、司法局",
         "5 工作日（孝感市工作日历）", "督办员", "从案件页签发"],
        ["风险预警函", "孝综预警函〔{年}〕{号}号", "司法所、人民调解委员会",
         "3 工作日（孝感市工作日历）", "督办员、负责人", "案件页或函件页签发"],
    ]  # fmt: skip


def test_the_reason_is_escaped_on_the_page_and_the_print(
    client: TestClient, db: DbEngine, xg: dict[str, Any]
) -> None:
    assert login(client, "duban") == 303
    assert issue(client, xg["case"], reason="<script>alert(1)</script>").status_code == 303
    for path in ("/letters/1", "/letters/1/print"):
        html = client.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
