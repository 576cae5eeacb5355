"""调解案例库 over HTTP (issue 22.4), on 鹿城 with 孝感 beside it: staff put a closed case
forward (CSRF-protected form), the 负责人 is refused while the summary names the party (nothing
written) and approves once it is clean; staff of the county find it by words and category with
counts and the figure per category and office; staff of another county get a 404, and a
pending entry is the reviewer's alone. SQLite and PostgreSQL (YIDI_TEST_DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.case_library import LIBRARY
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from tests.engine.test_case_library import CLEAN, XIAOGAN
from tests.engine.test_mediators import LUCHENG, MONDAY, mediated_and_confirmed, publish
from tests.support import csrf_of
from tests.web.conftest import PASSWORD, login


def _setup(db: Engine) -> str:
    publish(db, LUCHENG)
    publish(db, XIAOGAN)
    view = mediated_and_confirmed(Workflow(db, ManualClock(MONDAY)))
    for username, name, county, center, role in (
        ("lc_clerk", "鹿城窗口", "lucheng", "鹿城区中心", "窗口人员"),
        ("lc_leader", "鹿城负责人", "lucheng", "鹿城区中心", "负责人"),
        ("xg_leader", "孝感负责人", "xiaogan", "孝南区中心", "负责人"),
    ):
        create_user(
            db,
            username,
            PASSWORD,
            display_name=name,
            county=county,
            memberships=[MembershipSpec(center, role, None)],
        )
    return view.code


def rows(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(LIBRARY)).mappings()]


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    assert login(client, username) == 303


def propose(client: TestClient, **fields: str) -> Any:
    token = csrf_of(client, "/library/new")
    return client.post("/library/new", data={**fields, "csrf_token": token})


def approve(client: TestClient, entry: int, **fields: str) -> Any:
    token = csrf_of(client, "/library")
    return client.post(f"/library/{entry}/approve", data={**fields, "csrf_token": token})


def test_propose_review_search_and_scope(db: Engine, client: TestClient) -> None:
    code = _setup(db)
    sign_in(client, "lc_clerk")
    assert '<a href="/library"' in client.get("/library").text  # the nav link
    link = f'href="/library/new?case={code}"'
    assert link in client.get(f"/cases/{code}").text  # from the closed case's page
    assert f'name="case" value="{code}"' in client.get(f"/library/new?case={code}").text
    named = "林一对拆除决定不服。" + CLEAN
    answer = propose(client, case=code, title="行政争议案前调解", summary=named, tags="补偿")
    assert answer.status_code == 303 and answer.headers["location"] == "/library?did=new"
    [entry] = rows(db)
    assert entry["state"] == "pending"
    assert client.get(f"/library/{entry['id']}").status_code == 404  # the reviewer's alone
    assert "行政争议案前调解" not in client.get("/library").text

    sign_in(client, "lc_leader")
    page = client.get("/library").text
    assert "待审核" in page and f'href="/library/{entry["id"]}"' in page
    assert "审核通过，入库" in client.get(f"/library/{entry['id']}").text
    refused = approve(client, entry["id"], title="行政争议案前调解", summary=named, tags="补偿")
    assert refused.status_code == 422
    assert "案例摘要含有当事人姓名「林一」，请删去个人信息后再审核通过" in refused.text
    assert rows(db) == [entry]  # nothing written
    no_token = client.post(f"/library/{entry['id']}/approve", data={"title": "x", "summary": CLEAN})
    assert no_token.status_code == 403 and rows(db) == [entry]
    done = approve(
        client, entry["id"], title="行政争议案前调解", summary=CLEAN, tags="补偿、案前调解"
    )
    assert done.status_code == 303
    assert rows(db)[0]["state"] == "approved"

    sign_in(client, "lc_clerk")
    found = client.get("/library", params={"q": "延期拆除"}).text
    assert 'id="library-total">1<' in found and "行政争议案前调解" in found
    by_tag = client.get("/library", params={"q": "补偿", "category": "行政争议"}).text
    assert 'id="library-total">1<' in by_tag
    none = client.get("/library", params={"q": "婚姻"}).text
    assert 'id="library-total">0<' in none and "没有符合条件的案例" in none
    figure = found.split('id="library-by-category"', 1)[1]
    assert "<td>行政争议</td><td>1</td>" in figure
    entry_page = client.get(f"/library/{entry['id']}").text
    assert CLEAN in entry_page and "林一" not in entry_page and "鹿城负责人" in entry_page

    sign_in(client, "xg_leader")  # another county: not found, not searchable, not proposable
    assert client.get(f"/library/{entry['id']}").status_code == 404
    assert approve(client, entry["id"], title="x", summary=CLEAN).status_code == 404
    other = client.get("/library", params={"q": "补偿"}).text
    assert 'id="library-total">0<' in other and "行政争议案前调解" not in other
    assert propose(client, case=code, title="x", summary=CLEAN).status_code == 404


def test_bad_proposals_are_answered_in_chinese_with_nothing_written(
    db: Engine, client: TestClient
) -> None:
    code = _setup(db)
    sign_in(client, "lc_clerk")
    for fields, status, message in (
        ({"case": "", "title": "x", "summary": CLEAN}, 422, "请填写案件编号"),
        ({"case": "LC-0000-000000", "title": "x", "summary": CLEAN}, 404, "没有该编号的案件"),
        ({"case": code, "title": "", "summary": CLEAN}, 422, "请填写案例标题"),
        ({"case": code, "title": "x", "summary": " "}, 422, "请填写案例摘要"),
        ({"case": code, "title": "x", "summary": CLEAN, "tags": "<b>" * 21}, 422, "超过 20 字"),
    ):
        answer = propose(client, **fields)
        assert answer.status_code == status, fields
        assert message in answer.text and 'id="problem-library"' in answer.text
    assert "&lt;b&gt;" in answer.text  # typed text comes back escaped
    assert rows(db) == []
    assert propose(client, case=code, title="x", summary=CLEAN).status_code == 303
    again = propose(client, case=code, title="x", summary=CLEAN)
    assert again.status_code == 409 and "该案件已推荐过" in again.text
    assert len(rows(db)) == 1
