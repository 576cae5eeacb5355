"""Idempotency keys after a crash (issue 16 point 3): the answer is recorded under the key in
the transaction that creates the case, so a request that dies leaves neither; a key left
"pending" by an earlier version's crashed request no longer answers 409 for ever."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

import admin.api
from admin.accounts import IDEMPOTENCY, KEYS, create_api_key
from engine.db import utcnow
from tests.web.counties import intake_data, publish_xiaogan
from tests.web.test_web_api import cases


@pytest.fixture
def auth(db: Engine) -> dict[str, str]:
    publish_xiaogan(db)
    return {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}


def keys(db: Engine) -> list[tuple[str, int]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(select(IDEMPOTENCY.c.key, IDEMPOTENCY.c.status))]


def reserved_earlier(db: Engine, key: str, body: dict, minutes: int) -> None:
    """A reservation as the versions that reserved before creating left it when killed."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    with db.begin() as conn:
        caller = conn.execute(select(func.min(KEYS.c.id))).scalar_one()
        conn.execute(
            insert(IDEMPOTENCY).values(
                caller=caller,
                key=key,
                body_hash=digest,
                status=admin.api.PENDING,
                response={},
                created_at=utcnow() - timedelta(minutes=minutes),
            )
        )


def test_a_request_that_dies_after_writing_its_case_leaves_neither_case_nor_key(
    client, auth, db, monkeypatch
):
    headers = {**auth, "Idempotency-Key": "12345-crash-0001"}
    body = {"data": intake_data()}
    real = admin.api.case_status_in

    def dies(*args, **kwargs):  # the process stops after the case is written, before commit
        raise RuntimeError("进程中止")

    monkeypatch.setattr(admin.api, "case_status_in", dies)
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 500
    assert cases(db) == 0 and keys(db) == []
    monkeypatch.setattr(admin.api, "case_status_in", real)
    retried = client.post("/api/v1/cases", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == retried.json()
    assert cases(db) == 1 and keys(db) == [("12345-crash-0001", 201)]


def test_a_reservation_left_by_a_killed_request_lets_the_retry_create_the_case_once(
    client, auth, db
):
    body = {"data": intake_data()}
    reserved_earlier(db, "12345-killed-0001", body, minutes=10)
    headers = {**auth, "Idempotency-Key": "12345-killed-0001"}
    retried = client.post("/api/v1/cases", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["code"] == retried.json()["code"]
    assert cases(db) == 1 and keys(db) == [("12345-killed-0001", 201)]


def test_a_fresh_reservation_may_still_be_in_flight_and_gets_409(client, auth, db):
    body = {"data": intake_data()}
    reserved_earlier(db, "12345-inflight-0001", body, minutes=0)
    headers = {**auth, "Idempotency-Key": "12345-inflight-0001"}
    answer = client.post("/api/v1/cases", json=body, headers=headers)
    assert answer.status_code == 409 and "正在处理" in answer.json()["message"]
    assert cases(db) == 0


def test_a_refusal_is_recorded_and_replayed_under_its_key(client, auth, db):
    body = {"data": intake_data(summary="太短")}
    headers = {**auth, "Idempotency-Key": "12345-bad-0001"}
    first = client.post("/api/v1/cases", json=body, headers=headers)
    second = client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.headers["idempotent-replayed"] == "true"
    assert keys(db) == [("12345-bad-0001", 422)] and cases(db) == 0
