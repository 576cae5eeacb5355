"""Replies to source systems (issue 20, point 3), against a real receiving HTTP server started
here: a case pushed through the API by a key with a callback is followed to the end, and every
status change, the final answer and the evaluation reach the receiver as signed JSON, in order,
retried with backoff, redelivered after a crash with the same id (docs/integration.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine, select

from admin.accounts import KEYS, create_api_key
from engine import outbox
from engine.db import utcnow
from tests.web.counties import intake_data
from tests.web.flow import cast
from tests.web.test_outcome_meanings import handle_to_the_end


class Receiver:
    """A source system's endpoint: answers from a script (default 200), keeps every request,
    and dedupes by event id as the docs tell receivers to."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.events: dict[str, dict[str, Any]] = {}  # by id, in arrival order

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        self.requests.append((headers, body))
        status = self.script.pop(0) if self.script else 200
        if status == 200:
            event = json.loads(body)
            self.events.setdefault(event["id"], event)
        return status


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = got.answer({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield got, f"http://127.0.0.1:{server.server_address[1]}/yidi/replies"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hotline(db: Engine, receiver) -> tuple[dict[str, str], str]:
    """A 12345 key whose replies go to the receiver; its signing secret."""
    token = create_api_key(db, "12345热线", "xiaogan")
    with db.begin() as conn:
        key = conn.execute(select(KEYS.c.id).where(KEYS.c.prefix == token[:10])).scalar_one()
        secret = outbox.register_callback(conn, key, receiver[1])
    return {"Authorization": f"Bearer {token}"}, secret


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/integration.md)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-yidi-signature"])


def rows(db: Engine) -> list[Any]:
    with db.connect() as conn:
        return list(conn.execute(select(outbox.OUTBOX).order_by(outbox.OUTBOX.c.id)))


def push(client, auth) -> str:
    response = client.post("/api/v1/cases", json={"data": intake_data()}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def drain(db: Engine, start: Any, rounds: int = 20) -> Any:
    now = start
    for _ in range(rounds):
        outbox.deliver_due(db, now)
        now += timedelta(hours=2)
    return now


def test_status_changes_the_final_answer_and_the_evaluation_reach_the_source_system(
    client, db, receiver, hotline
):
    got, _url = receiver
    auth, secret = hotline
    people = cast(db)  # publishes xiaogan
    code = push(client, auth)
    handle_to_the_end(client, people, code, "调处化解", "化解成功")
    assert rows(db) and all(r.state == "pending" for r in rows(db))  # written with the change
    drain(db, utcnow())
    assert all(r.state == "delivered" for r in rows(db))
    events = list(got.events.values())
    assert [e["case"]["code"] for e in events] == [code] * len(events)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "case.status" and kinds[-1] == "case.closed"
    assert "case.evaluated" in kinds
    final = events[-1]["case"]
    assert (final["status"], final["outcome"], final["outcome_meaning"]) == (
        "closed",
        "化解成功",
        "mediated",
    )
    assert (
        next(e for e in events if e["type"] == "case.evaluated")["case"]["satisfaction"] == "满意"
    )
    for headers, body in got.requests:
        assert verify(secret, headers, body)
        assert headers["x-yidi-event-id"] == json.loads(body)["id"]
        assert headers["x-yidi-timestamp"].isdigit()
    # in order: the outbox ids of the delivered events are increasing
    assert [r.event_id for r in rows(db)] == [e["id"] for e in events]


def test_a_receiver_that_fails_twice_gets_the_reply_on_the_third_try_with_backoff(
    client, db, receiver, hotline
):
    got, _url = receiver
    auth, _secret = hotline
    people = cast(db)
    code = push(client, auth)
    from tests.web.test_web_flow import act, sign_in

    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    sign_in(client, people["handler"].username)
    act(client, code, "接单", {})
    first, second = rows(db)
    got.script = [503, 500]
    t0 = utcnow()
    assert outbox.deliver_due(db, t0) == 0
    row = rows(db)[0]
    assert (row.attempts, row.last_error) == (1, "接收方返回 HTTP 503")
    assert row.next_attempt_at - t0 == outbox.BACKOFF_FIRST  # recorded backoff
    assert outbox.deliver_due(db, t0 + timedelta(seconds=10)) == 0  # not due yet
    assert len(got.requests) == 1  # and the second reply waits behind the first (order)
    assert outbox.deliver_due(db, t0 + outbox.BACKOFF_FIRST) == 0
    row = rows(db)[0]
    assert row.attempts == 2
    assert row.next_attempt_at - (t0 + outbox.BACKOFF_FIRST) == 2 * outbox.BACKOFF_FIRST
    t2 = t0 + 3 * outbox.BACKOFF_FIRST
    assert outbox.deliver_due(db, t2) == 1
    assert outbox.deliver_due(db, t2) == 1  # then the second, in order
    assert [r.state for r in rows(db)] == ["delivered", "delivered"]
    assert rows(db)[0].attempts == 3
    ids = [json.loads(body)["id"] for _h, body in got.requests]
    assert ids == [first.event_id] * 3 + [second.event_id]


def test_a_crash_after_sending_redelivers_the_same_id_and_nothing_is_lost(
    client, db, receiver, hotline
):
    got, _url = receiver
    auth, _secret = hotline
    people = cast(db)
    code = push(client, auth)
    from tests.web.test_web_flow import act, sign_in

    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})

    class Crash(BaseException):
        pass

    def send_then_die(url: str, body: bytes, headers: dict[str, str]) -> int:
        outbox.http_send(url, body, headers)  # the receiver has it ...
        raise Crash  # ... and the worker dies before marking it delivered

    t0 = utcnow()
    with pytest.raises(Crash):
        outbox.deliver_due(db, t0, send=send_then_die)
    assert rows(db)[0].state == "pending"
    assert outbox.deliver_due(db, t0 + timedelta(seconds=5)) == 0  # leased meanwhile
    assert outbox.deliver_due(db, t0 + outbox.LEASE) == 1  # the next worker sends it again
    assert len(got.requests) == 2 and len(got.events) == 1  # deduped by id: once
    assert rows(db)[0].state == "delivered"


def test_an_administrator_retries_a_failed_reply(client, db, receiver, hotline):
    got, _url = receiver
    auth, _secret = hotline
    people = cast(db)
    code = push(client, auth)
    from tests.web.test_web_flow import act, sign_in

    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    got.script = [500] * outbox.MAX_ATTEMPTS
    drain(db, utcnow(), rounds=outbox.MAX_ATTEMPTS + 2)
    [row] = rows(db)
    assert (row.state, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    with db.begin() as conn:
        assert outbox.retry(conn, row.id, row.county_id + 1, utcnow()) is False  # other county
        assert outbox.retry(conn, row.id, row.county_id, utcnow()) is True
    assert outbox.deliver_due(db, utcnow() + timedelta(seconds=1)) == 1
    assert rows(db)[0].state == "delivered"


def test_the_console_page_shows_deliveries_and_an_administrator_retries_a_failed_one(
    client, db, receiver, hotline
):
    from tests.web.conftest import csrf_of
    from tests.web.test_web_flow import act, sign_in

    got, _url = receiver
    auth, _secret = hotline
    people = cast(db)
    code = push(client, auth)
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    got.script = [500] * outbox.MAX_ATTEMPTS
    drain(db, utcnow(), rounds=outbox.MAX_ATTEMPTS + 2)
    [row] = rows(db)

    sign_in(client, people["dispatcher"].username)  # staff: no console
    assert client.get("/console/replies").status_code == 403
    sign_in(client, "xiaoganadmin")
    page = client.get("/console/replies")
    assert page.status_code == 200
    assert f'data-reply="{row.id}" data-state="failed"' in page.text
    assert code in page.text and "接收方返回 HTTP 500" in page.text and "重试" in page.text
    token = csrf_of(client, "/console/replies")
    refused = client.post("/console/replies/retry", data={"id": "abc", "csrf_token": token})
    assert refused.status_code == 404  # not a number: a clear page, no 500
    done = client.post("/console/replies/retry", data={"id": str(row.id), "csrf_token": token})
    assert done.status_code == 303
    again = client.post("/console/replies/retry", data={"id": str(row.id), "csrf_token": token})
    assert again.status_code == 409 and "只有本县区发送失败的回告推送可以重试" in again.text
    assert outbox.deliver_due(db, utcnow() + timedelta(seconds=1)) == 1
    page = client.get("/console/replies").text
    assert f'data-reply="{row.id}" data-state="delivered"' in page and "已送达" in page


def test_a_key_without_callback_polls_the_changes_feed_of_its_own_cases(client, db, hotline):
    """Nothing is POSTed for a key without a callback; it reads the same replies by polling,
    and sees only the cases it pushed itself."""
    from tests.web.test_web_flow import act, sign_in

    people = cast(db)
    grid = {"Authorization": f"Bearer {create_api_key(db, '网格平台', 'xiaogan')}"}
    mine = push(client, grid)
    theirs = push(client, hotline[0])  # the hotline's case: not in the grid's feed
    sign_in(client, people["dispatcher"].username)
    for code in (mine, theirs):
        act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    sign_in(client, people["handler"].username)
    act(client, mine, "接单", {})
    first = client.get("/api/v1/changes", headers=grid)
    assert first.status_code == 200, first.text
    changes = first.json()["changes"]
    assert [c["case"]["code"] for c in changes] == [mine, mine]
    assert [c["case"]["step"] for c in changes] == ["接单", "办理"]
    cursor = first.json()["next"]
    assert client.get(f"/api/v1/changes?after={cursor}", headers=grid).json() == {
        "changes": [],
        "next": cursor,
    }
    assert outbox.deliver_due(db, utcnow()) == 1  # only the hotline's reply is POSTed
    assert {r.state for r in rows(db) if r.api_key_id != hotline_key(db, hotline)} == {"feed"}
    bad = client.get("/api/v1/changes?after=-1", headers=grid)
    assert bad.status_code == 422 and "after" in bad.json()["message"]
    # past the id column's range (an integer on PostgreSQL: it was a 500 there)
    past = client.get(f"/api/v1/changes?after={2**31}", headers=grid)
    assert past.status_code == 422 and "after" in past.json()["message"]
    assert client.get(f"/api/v1/changes?after={2**31 - 1}", headers=grid).status_code == 200
    assert client.get("/api/v1/changes").status_code == 401


def hotline_key(db: Engine, hotline) -> int:
    token = hotline[0]["Authorization"].removeprefix("Bearer ")
    with db.connect() as conn:
        return int(conn.execute(select(KEYS.c.id).where(KEYS.c.prefix == token[:10])).scalar_one())
