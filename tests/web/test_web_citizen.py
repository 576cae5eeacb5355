"""Citizen pages: progress lookup (phone must match, rate-limited, no internal notes)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin import citizen
from admin.ratelimit import RateLimiter
from tests.web.conftest import csrf_of
from tests.web.seed import TOWN_A, Seeder


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    monkeypatch.setattr(citizen, "LOOKUPS_PER_IP", RateLimiter(20, 600))
    monkeypatch.setattr(citizen, "LOOKUPS_PER_CODE_AT_ADDRESS", RateLimiter(5, 600))


@pytest.fixture
def code(db: Engine) -> str:
    return Seeder(db).publish().case(TOWN_A, phone="13712345678")


def lookup(client, code: str, phone: str):
    token = csrf_of(client, "/progress")
    return client.post("/progress", data={"code": code, "phone": phone, "csrf_token": token})


def test_progress_shows_stage_and_deadline_but_no_notes(client, code):
    response = lookup(client, code, "13712345678")
    assert response.status_code == 200
    assert "办理中" in response.text and "当前环节" in response.text and "接单" in response.text
    assert "办结期限" in response.text
    assert "内部备注" not in response.text and "someone" not in response.text


def test_wrong_phone_and_unknown_code_get_the_same_answer(client, code):
    wrong_phone = lookup(client, code, "13700000000")
    unknown = lookup(client, "WE-2026-999999", "13712345678")
    assert wrong_phone.status_code == unknown.status_code == 404
    assert "未查到" in wrong_phone.text and "未查到" in unknown.text
    assert "办结期限" not in wrong_phone.text


def test_lookups_of_one_code_from_one_address_are_rate_limited(client, code):
    for _ in range(5):
        assert lookup(client, code, "13700000000").status_code == 404
    blocked = lookup(client, code, "13712345678")  # even the right phone, once over the limit
    assert blocked.status_code == 429
    assert "过于频繁" in blocked.text


def test_guesses_by_others_do_not_lock_the_citizen_out(app, client, code):
    # Someone guesses phone numbers for this code from one address until refused...
    for _ in range(5):
        assert lookup(client, code, "13700000000").status_code == 404
    assert lookup(client, code, "13700000001").status_code == 429
    # ...and the citizen, from their own address, still sees their case.
    with TestClient(app, client=("198.51.100.7", 40000)) as citizen_client:
        response = lookup(citizen_client, code, "13712345678")
        assert response.status_code == 200, response.text[:300]
        assert "当前环节" in response.text


def test_lookups_from_one_address_are_rate_limited(client, monkeypatch):
    monkeypatch.setattr(citizen, "LOOKUPS_PER_IP", RateLimiter(3, 600))
    statuses = [lookup(client, f"WE-2026-00000{n}", "13700000000").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_progress_lookup_needs_the_csrf_token(client, code):
    client.get("/progress")
    response = client.post("/progress", data={"code": code, "phone": "13712345678"})
    assert response.status_code == 403


def test_home_links_the_citizen_services(client):
    page = client.get("/").text
    assert 'href="/online"' in page and 'href="/progress"' in page


def test_sliding_window_forgets_old_attempts():
    limiter = RateLimiter(limit=2, window_seconds=10)
    assert limiter.allow("k", now=0) and limiter.allow("k", now=1)
    assert not limiter.allow("k", now=5)
    assert limiter.allow("k", now=10.5)
