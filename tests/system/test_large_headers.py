"""Request heads past 64 KB (docs/workbench.md, Limits): a real `yidi serve` answers the
Chinese 400 with the security headers and closes, however the head arrives (one read or in
pieces), and keeps answering other requests. Before, one 70,000-byte header got a 200: uvicorn's
httptools parser has no head limit, and h11's applies only to a head still incomplete."""

from __future__ import annotations

import socket

import httpx2 as httpx

from admin.limits import MAX_REQUEST_HEAD
from tests.system.conftest import Deployment


def _ask(port: int, head: bytes, pieces: int = 1) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        step = -(-len(head) // pieces)
        try:
            for start in range(0, len(head), step):
                conn.sendall(head[start : start + step])
        except OSError:  # closed under us after the answer: read it
            pass
        reply = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            reply += chunk
        return reply


def request(extra: int) -> bytes:
    return (
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + b"X-Big: " + b"a" * extra + b"\r\n\r\n"
    )  # fmt: skip


def test_a_head_over_64_kb_is_refused_in_chinese_with_the_security_headers(
    deployment: Deployment,
) -> None:
    server = deployment.server()
    for pieces in (1, 5):
        reply = _ask(server.port, request(70_000), pieces)
        assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
        assert "请求行和请求头过长（合计超过 64 KB）".encode() in reply
        assert b"x-frame-options: deny" in reply.lower()
    # a head just inside the limit is answered as usual
    fits = request(MAX_REQUEST_HEAD - 200)
    assert len(fits) <= MAX_REQUEST_HEAD
    assert _ask(server.port, fits).startswith(b"HTTP/1.1 200")
    assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200
