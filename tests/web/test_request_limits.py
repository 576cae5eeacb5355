"""The request layer (admin.limits) and what rides on it: each reproduction of issue 16's
points 5, 6 and 8 (a 500 on PostgreSQL, or text stored whole) as a clear Chinese 4xx with
nothing written, on both backends."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin import limits
from admin.accounts import create_api_key
from admin.demo import demo_password
from engine.tables import Case, Event
from tests.support import run_coroutine
from tests.web.conftest import csrf_of
from tests.web.counties import intake_data
from tests.web.flow import INTAKE_FIELDS, as_form, cast

CONTROL_WORDS = "控制字符"


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": demo_password(), "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def count(db: Engine, table: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def people(db: Engine) -> dict[str, Any]:
    return cast(db)


@pytest.fixture
def auth(db: Engine, people: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}


def pushed_case(client: TestClient, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/cases", json={"data": intake_data()}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def refused_in_chinese(response: Any, status: int, words: str = "") -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
    if words:
        assert words in response.text, response.text[:300]


# --- point 5: NUL and other control characters are refused at the edge ---------------------


def test_nul_in_path_and_query_is_refused_before_any_query(client, people):
    sign_in(client, people["dispatcher"].username)
    for url in ("/cases/XG%00", "/inbox?category=%00", "/search?q=a%00b", "/cases/XG%01"):
        refused_in_chinese(client.get(url), 400, CONTROL_WORDS)
    assert client.get("/inbox?category=%E4%B8%AD").status_code == 200  # real text still works


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(client, people, db):
    # login, progress, window intake: anonymous and signed-in forms alike
    token = csrf_of(client, "/login")
    form = {"username": "a\x00b", "password": "x", "csrf_token": token}
    refused_in_chinese(client.post("/login", data=form), 400, CONTROL_WORDS)
    form = {"code": "XG\x00", "phone": "13812345678", "csrf_token": token}
    refused_in_chinese(client.post("/progress", data=form), 400, CONTROL_WORDS)
    sign_in(client, people["clerk"].username)
    token = csrf_of(client, "/intake")
    fields = {**as_form(INTAKE_FIELDS), "summary": "噪音\x00扰民", "channel": "来访"}
    fields |= {"_window": "综合窗口|书院街道", "csrf_token": token}
    refused_in_chinese(client.post("/intake", data=fields), 400, "summary")
    tab = {**fields, "summary": "噪音\t扰民\r\n第二行"}  # tab and line breaks are text
    assert client.post("/intake", data=tab).status_code == 303
    assert count(db, Case) == 1


def test_nul_in_an_upload_file_name_is_refused(client):
    token = csrf_of(client, "/login")
    body = (
        b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="evidence"; '
        b'filename="a\x00.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--B--\r\n'
    )
    headers = {"Content-Type": "multipart/form-data; boundary=B"}
    response = client.post("/online/xiaogan", content=body, headers=headers)
    refused_in_chinese(response, 400, CONTROL_WORDS)


def test_api_text_with_nul_or_a_lone_surrogate_is_a_422_with_its_path(client, auth, db):
    for data in (
        intake_data(summary="a\x00b"),
        intake_data(parties=[{"name": "王\x00", "role": "申请人"}]),
    ):
        response = client.post("/api/v1/cases", json={"data": data}, headers=auth)
        refused_in_chinese(response, 422, CONTROL_WORDS)
        assert response.json()["errors"][0]["path"].startswith("data/")
    raw = b'{"data": {"summary": "\\ud800"}}'
    response = client.post("/api/v1/cases", content=raw, headers=auth)
    refused_in_chinese(response, 422, CONTROL_WORDS)
    assert count(db, Case) == 0


# --- point 6: form bodies that broke the parser before the CSRF check -----------------------


def test_malformed_forms_are_400s_before_the_csrf_check_which_still_runs(client):
    csrf_of(client, "/login")  # a session, but no token in these bodies
    big = client.post("/login", data={"username": "x" * (limits.MAX_FIELD + 10)})
    refused_in_chinese(big, 400, "字段过长")
    no_boundary = client.post(
        "/login", content=b"a=b", headers={"Content-Type": "multipart/form-data"}
    )
    refused_in_chinese(no_boundary, 400, "boundary")
    many = "&".join(f"f{i}=1" for i in range(limits.MAX_FIELDS + 1))
    response = client.post(
        "/login",
        content=many.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    refused_in_chinese(response, 400, "字段过多")
    parts = {f"f{i}": ("a.txt", b"x", "text/plain") for i in range(limits.MAX_FILES + 1)}
    refused_in_chinese(client.post("/login", files=parts), 400, "文件过多")
    # a well-formed form without a token is still refused by the CSRF check
    refused_in_chinese(client.post("/login", data={"username": "a"}), 403, "CSRF")


def test_an_api_body_past_the_limit_is_refused_before_it_is_read(app):
    """200 MB announced, streamed in 64 KB chunks: refused after at most the limit's worth."""
    chunk = b"x" * 65536
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        received += 1
        return {"type": "http.request", "body": chunk, "more_body": received < 3200}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for declared in (str(200 * 1024 * 1024), ""):  # announced, and chunked without a length
        received, sent = 0, []
        headers = [(b"content-type", b"application/json")]
        if declared:
            headers.append((b"content-length", declared.encode()))
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/v1/cases",
            "raw_path": b"/api/v1/cases",
            "query_string": b"",
            "headers": headers,
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
            "http_version": "1.1",
        }
        run_coroutine(lambda scope=scope: app(scope, receive, send))
        assert sent[0]["status"] == 413
        assert received * len(chunk) <= limits.MAX_API_BODY + len(chunk)
        assert "上限" in json.loads(sent[1]["body"])["message"]
    for declared in ("²", "-1", "9" * 30):  # a length no body has: refused, never int()'d
        received, sent = 0, []
        length = declared.encode("latin-1")  # 「²」 is one byte, \xb2, in a header
        scope["headers"] = [(b"content-type", b"application/json"), (b"content-length", length)]
        run_coroutine(lambda scope=scope: app(scope, receive, send))
        assert sent[0]["status"] == 400 and received == 0


# --- one integer parser: 「²」 and other Unicode digits, numbers past bigint -----------------


def test_unicode_digits_are_refused_in_chinese(client, people, auth, db):
    code = pushed_case(client, auth)
    # the anonymous row buttons and the evidence size on the citizen form
    token = csrf_of(client, "/online/xiaogan")
    rows = {"parties/0/name": "甲", "parties/1/name": "乙"}
    for button in ("remove:parties/²", "remove:parties/٣", "remove:parties/" + "9" * 40):
        form = {**rows, "_op": button, "csrf_token": token}
        response = client.post("/online/xiaogan", data=form)
        assert response.status_code == 200, response.text[:300]  # the form again, as typed
        assert response.text.count('value="乙"') == 1
    # 延期 by 「²」 days
    sign_in(client, people["dispatcher"].username)
    page = client.get(f"/cases/{code}").text
    ticket = re.search(r"/tickets/(\d+)/", page).group(1)
    token = csrf_of(client, f"/cases/{code}")
    client.post(f"/tickets/{ticket}/claim", data={"csrf_token": token})
    before = count(db, Event)
    for amount in ("²", "３", "٣", "99999999999999999999999"):
        form = {"reason": "材料未齐", "amount": amount, "unit": "day", "csrf_token": token}
        response = client.post(f"/tickets/{ticket}/extend", data=form)
        assert response.status_code in (409, 422), response.text[:300]
        if response.status_code == 422:
            assert "阿拉伯数字" in response.text
    assert count(db, Event) == before


def test_console_integers_with_unicode_digits(client, people):
    sign_in(client, "xiaoganadmin")
    refused_in_chinese(client.get("/console/versions/migrate?to=²"), 404, "没有该版本")
    accounts = client.get("/console/accounts").text
    user_id = re.search(r'href="/console/accounts/(\d+)"', accounts).group(1)
    token = csrf_of(client, f"/console/accounts/{user_id}")
    form = {"do": "memberships", "remove": "²", "csrf_token": token}
    assert client.post(f"/console/accounts/{user_id}", data=form).status_code < 500


def test_page_numbers_past_bigint_never_reach_the_database(client, people):
    sign_in(client, people["dispatcher"].username)
    huge = "9" * 30
    assert client.get(f"/inbox?page={huge}").status_code == 200
    assert client.get("/inbox?page=²").status_code == 200
    response = client.get(f"/dashboards/cases?page={huge}")
    refused_in_chinese(response, 400, "页码")


# --- API type confusion -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        intake_data(category=[1]),
        intake_data(location={"town": {}}),
        intake_data(location=[1]),
        intake_data(severity={"a": 1}),
        intake_data(parties=[{"name": ["王"], "role": "申请人"}]),
    ],
    ids=["category-list", "town-object", "location-list", "severity-object", "party-name-list"],
)
def test_api_wrong_types_are_422_with_the_path(client, auth, db, data):
    response = client.post("/api/v1/cases", json={"data": data}, headers=auth)
    refused_in_chinese(response, 422)
    # the intake form's own check or the facts' type check: a Chinese message either way
    assert any(word in response.text for word in ("应为文字", "必须填写")), response.text
    assert response.json()["errors"][0]["path"].startswith("data/")
    assert count(db, Case) == 0


def test_api_deeply_nested_json_is_a_422(client, auth, db):
    for depth in (3000, 100):
        raw = ("[" * depth + "]" * depth).encode()
        body = b'{"data": {"summary": ' + raw + b"}}"
        response = client.post("/api/v1/cases", content=body, headers=auth)
        refused_in_chinese(response, 422, "嵌套过深")
    assert count(db, Case) == 0


# --- dates, draft paths, text caps --------------------------------------------------------


def test_dashboard_days_out_of_range_are_400s(client, people):
    sign_in(client, people["dispatcher"].username)
    for query in ("day=0001-01-01", "day=9999-12-31", "period=week&day=0001-01-01"):
        refused_in_chinese(client.get(f"/dashboards/?{query}"), 400, "年之间")
    refused_in_chinese(client.get("/dashboards/?period=custom&day=2026-01-01&last=9999-12-31"), 400)
    assert client.get("/dashboards/?day=2026-11-02").status_code == 200


def test_a_draft_path_longer_than_the_column_is_a_400(client, people, db):
    sign_in(client, "xiaoganadmin")
    token = csrf_of(client, "/console/files")
    path = "a" * 300 + ".yd"
    form = {"path": path, "text": "县区 x", "csrf_token": token}
    refused_in_chinese(client.post("/console/files/save", data=form), 400, "最长")
    refused_in_chinese(client.post("/console/files/new", data=form), 400, "最长")


def test_a_dispatch_reason_is_capped_like_every_other_reason(client, people, auth, db):
    code = pushed_case(client, auth)
    sign_in(client, people["dispatcher"].username)
    page = client.get(f"/cases/{code}").text
    url = re.search(r'href="(/tickets/\d+/act/[^"]+)">派发给承办单位<', page).group(1)
    token = csrf_of(client, url)
    before = count(db, Event)
    form = {"office": "司法所", "instruction": "请尽快调解", "csrf_token": token}
    response = client.post(url, data={**form, "_reason": "长" * 100_000})
    refused_in_chinese(response, 422, f"不能超过 {limits.MAX_TEXT} 字")
    assert count(db, Event) == before
    assert client.post(url, data={**form, "_reason": "长" * 500}).status_code == 303


def test_a_case_with_a_control_character_does_not_break_the_months_xlsx(client, people, auth, db):
    from sqlalchemy import update

    code = pushed_case(client, auth)
    with db.begin() as conn:  # written before the edge refused such text
        conn.execute(update(Case).where(Case.code == code).values(title="噪音\x01扰民\x1b"))
    sign_in(client, people["dispatcher"].username)
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/dashboards/export/cases.{fmt}?metric=received")
        assert response.status_code == 200, response.text[:300]
    assert code in response.text and "噪音扰民" in response.text and "\x01" not in response.text


def test_what_the_corpus_found_odd_years_long_numbers_and_escapes_that_are_not_utf8(
    client, people, db
):
    sign_in(client, "xiaoganadmin")
    assert client.get("/console/views/calendar?year=²").status_code == 200  # this year
    sign_in(client, people["clerk"].username)
    token = csrf_of(client, "/intake")
    fields = {**as_form(INTAKE_FIELDS), "channel": "来访", "_window": "综合窗口|书院街道"}
    fields |= {"csrf_token": token, "_visits": "9" * 5000}
    for name in ("amount", "people_involved"):  # 5,000 digits in a number field
        response = client.post("/intake", data={**fields, name: "9" * 5000})
        assert response.status_code == 422 and "系统出错" not in response.text
    body = f"csrf_token={token}&summary=%ff%fe%80".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    refused_in_chinese(client.post("/intake", content=body, headers=headers), 400, "UTF-8")
    refused_in_chinese(client.get("/search?q=%ff%fe"), 400, "UTF-8")


def test_api_numbers_must_be_finite(client, auth, db):
    """Python's json takes NaN, Infinity and 1e400 (as inf); JSON does not, and a case showed
    涉及金额 nan. Each is a 422 in Chinese and nothing is written."""
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        raw = json.dumps({"data": {**intake_data(), "amount": 12345.5}}, ensure_ascii=False)
        body = raw.replace("12345.5", literal).encode()
        response = client.post(
            "/api/v1/cases", content=body, headers={**auth, "Content-Type": "application/json"}
        )
        refused_in_chinese(response, 422, "有限")
    assert count(db, Case) == 0


def test_an_evaluation_link_does_not_tell_which_case_codes_exist(client, auth):
    code = pushed_case(client, auth)
    answers = []
    for candidate in (code, "XG-2099-999999"):
        opened = client.get(f"/evaluate/{candidate}/AAAA")  # a bad link shows no form
        assert (opened.status_code, "评价链接无效" in opened.text) == (410, True)
        token = csrf_of(client, "/progress")
        form = {"score": "不满意", "csrf_token": token}
        answers.append(client.post(f"/evaluate/{candidate}/AAAA", data=form))
    assert [a.status_code for a in answers] == [410, 410]
    assert all("评价链接无效或已使用" in a.text for a in answers)
    assert "没有编号" not in answers[1].text
