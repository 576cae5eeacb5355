"""The JSON API: Bearer keys, idempotent pushes, structured errors with paths, never a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select

from admin.accounts import create_api_key
from engine.tables import Case
from tests.web.counties import intake_data, publish_xiaogan


@pytest.fixture
def auth(db: Engine) -> dict[str, str]:
    publish_xiaogan(db)
    return {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}


def cases(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Case)).scalar_one())


def test_push_creates_a_case_and_get_reads_its_status(client, auth, db):
    response = client.post("/api/v1/cases", json={"data": intake_data()}, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"].startswith("XG-") and body["status"] == "open"
    assert body["channel"] == "12345" and body["level"] == "镇"
    again = client.get(f"/api/v1/cases/{body['code']}", headers=auth)
    assert again.status_code == 200 and again.json()["code"] == body["code"]
    assert cases(db) == 1


def test_idempotent_retry_returns_the_same_answer_and_no_second_case(client, auth, db):
    headers = {**auth, "Idempotency-Key": "hotline-2026-0001"}
    first = client.post("/api/v1/cases", json={"data": intake_data()}, headers=headers)
    second = client.post("/api/v1/cases", json={"data": intake_data()}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert cases(db) == 1
    other = client.post(
        "/api/v1/cases", json={"data": intake_data()}, headers={**auth, "Idempotency-Key": "k2"}
    )
    assert other.json()["code"] != first.json()["code"]
    assert cases(db) == 2


def test_same_key_with_a_different_body_is_refused(client, auth, db):
    headers = {**auth, "Idempotency-Key": "hotline-2026-0002"}
    client.post("/api/v1/cases", json={"data": intake_data()}, headers=headers)
    changed = intake_data(severity="较大")
    response = client.post("/api/v1/cases", json={"data": changed}, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["message"]
    assert cases(db) == 1


def test_a_refused_push_is_replayed_too(client, auth, db):
    headers = {**auth, "Idempotency-Key": "bad-once"}
    body = {"data": intake_data(summary="太短")}
    first = client.post("/api/v1/cases", json=body, headers=headers)
    second = client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.json() == second.json()
    assert cases(db) == 0


def test_validation_errors_name_each_field_path(client, auth, db):
    data = intake_data(parties=[{"name": "王小明", "role": "申请人", "phone": "12345"}])
    response = client.post("/api/v1/cases", json={"data": data}, headers=auth)
    assert response.status_code == 422
    paths = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert "data/parties/0/phone" in paths
    assert "手机" in paths["data/parties/0/phone"]
    assert cases(db) == 0


def test_envelope_errors_have_paths(client, auth):
    response = client.post(
        "/api/v1/cases", json={"data": intake_data(), "parties": [{"phone": "1"}]}, headers=auth
    )
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"parties/0/name", "parties/0/phone"} <= paths


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b"null",
        b"[]",
        b'"text"',
        b'{"data": "x"}',
        b'{"data": {}, "channel": 5}',
        b'{"data": {"location": []}}',
        b'{"data": {"parties": "all"}}',
        b'{"extra": 1, "data": {}}',
        json.dumps({"data": {"a": [[[[[[[]]]]]]]}}).encode(),
    ],
)
def test_malformed_bodies_get_a_4xx_json_answer_never_a_500(client, auth, db, raw):
    response = client.post(
        "/api/v1/cases",
        content=raw,
        headers={**auth, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert body["message"] and isinstance(body.get("errors", []), list)
    assert cases(db) == 0


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b'{"data": {}}  x', "第 1 行第 15 列起有多余的内容"),
        (b"", "请求体为空"),
        (b"  \n ", "请求体为空"),
        (b'{\n  "data": {,}', "第 2 行第 12 列处应当是用双引号括起的字段名"),
        (b'{"data": "\\q"}', "第 1 行第 11 列处有无效的转义"),
        (b"\xff\xfe", "不是 UTF-8 编码的文本"),
    ],
)
def test_malformed_json_is_explained_in_chinese_with_line_and_column(client, auth, raw, said):
    response = client.post(
        "/api/v1/cases", content=raw, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith("请求体不是合法的 JSON：") and said in message, message
    assert not any(word in message for word in ("Expecting", "Extra", "line", "char", "codec"))


def test_missing_or_wrong_key_is_401(client, auth):
    assert client.post("/api/v1/cases", json={}).status_code == 401
    wrong = {"Authorization": "Bearer yd_not-a-key"}
    response = client.get("/api/v1/cases/XG-2026-000001", headers=wrong)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_needs_no_csrf_token_but_no_cookie_authenticates_it(client, auth, make_user):
    # The API is CSRF-exempt because only Bearer keys count: a logged-in browser session
    # posting to the API without a key is refused.
    response = client.post("/api/v1/cases", json={"data": intake_data()})
    assert response.status_code == 401


def test_openapi_documents_both_operations(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/v1/cases",
        "/api/v1/cases/{code}",
        "/api/v1/cases/{code}/court",  # the court link (诉调对接, admin/court_api.py)
        "/api/v1/changes",
    }
    post = doc["paths"]["/api/v1/cases"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
