"""Slow bodies (issue 16): a request whose head arrives at once but whose body then trickles
in a byte at a time is answered 408 in Chinese, with the security headers, and its
connection closed by a real `yidi serve` (admin.limits.BODY_TIMEOUT_SECONDS), on a page and
under /api/ (JSON), while other requests keep being answered. Before, the request layer
waited for the body for as long as the sender liked. A body that pauses but keeps within the
limit is carried out. Both backends."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlencode

import httpx2 as httpx

from admin.limits import BODY_TIMEOUT_SECONDS
from tests.support import TOKEN
from tests.system.conftest import PASSWORD, Deployment
from tests.system.deployment import Server

# A liveness bound, not a speed check: far past the server's limit, so only a server that
# never answers the trickling request fails it.
GIVE_UP_AFTER = BODY_TIMEOUT_SECONDS * 6
BODY = b"x" * 400  # announced in full, sent a byte every half second: never all of it


def head(path: str, kind: str, length: int, cookie: str = "") -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: {kind}",
        f"Content-Length: {length}",
        *([f"Cookie: {cookie}", "Connection: close"] if cookie else []),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_reply(conn: socket.socket) -> bytes:
    reply = b""
    while chunk := conn.recv(4096):
        reply += chunk
    return reply


def test_a_slow_body_is_answered_408_and_closed_while_others_are_answered(
    deployment: Deployment,
) -> None:
    server = deployment.server()
    page = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    api = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    form = "application/x-www-form-urlencoded"
    page.sendall(head("/login", form, len(BODY)))
    api.sendall(head("/api/v1/cases", "application/json", len(BODY)))
    dripping = {"page": page, "api": api}
    received = {"page": b"", "api": b""}
    for conn in dripping.values():
        conn.settimeout(0.25)
    began = time.monotonic()
    sent, answered = 0, 0
    try:
        while dripping and time.monotonic() - began < GIVE_UP_AFTER:
            for name, conn in list(dripping.items()):
                try:
                    if sent < len(BODY) - 1:  # one byte every half second, never the last
                        conn.sendall(BODY[sent : sent + 1])
                except OSError:  # the server closed it under us: read what it said
                    pass
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    chunk = b""
                received[name] += chunk
                if chunk == b"":
                    del dripping[name]  # closed by the server
            sent += 1
            # meanwhile, others are served as usual
            assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200
            answered += 1
        assert not dripping, f"a slow-body request is still open after {GIVE_UP_AFTER} s"
    finally:
        page.close()
        api.close()
    assert sent < len(BODY) - 1, "answered only after the whole body had been sent"
    assert answered > 0
    for name, reply in received.items():
        assert reply.startswith(b"HTTP/1.1 408"), (name, reply[:300])
        assert b"x-frame-options: deny" in reply.lower(), (name, reply[:600])
        assert b"connection: close" in reply.lower(), (name, reply[:600])
        assert "请求超时".encode() in reply and b"Traceback" not in reply, (name, reply)
    body = received["api"].split(b"\r\n\r\n", 1)[1]
    problem = json.loads(body)
    assert problem["status"] == 408 and problem["message"].startswith("请求超时"), problem
    assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200
    # Nothing reached the pages: no case was made, no login counted.
    assert server.ready() == 200


def test_a_body_that_pauses_within_the_limit_is_carried_out(deployment: Deployment) -> None:
    """A sign-in whose form arrives in two parts, a fifth of the limit apart: signed in."""
    server: Server = deployment.server()
    browser = httpx.Client(base_url=server.base, timeout=30)
    try:
        page = browser.get("/login")
        found = TOKEN.search(page.text)
        assert found, page.text[-1000:]
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    finally:
        browser.close()
    fields = {"username": "dispatcher", "password": PASSWORD, "csrf_token": found.group(1)}
    body = urlencode(fields).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as patient:
        kind = "application/x-www-form-urlencoded"
        patient.sendall(head("/login", kind, len(body), cookie) + body[:10])
        time.sleep(BODY_TIMEOUT_SECONDS / 5)
        patient.sendall(body[10:])
        reply = read_reply(patient)
    assert reply.startswith(b"HTTP/1.1 303"), reply[:500]
    assert b"location: /inbox" in reply.lower(), reply[:500]
