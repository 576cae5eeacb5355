"""Slow headers (slowloris, issue 16): a connection that sends its request line and headers a
byte at a time, or nothing at all, is answered 408 and closed by a real `yidi serve` within
seconds (admin.limits.HEADER_TIMEOUT_SECONDS), while other requests keep being answered.
Before, uvicorn timed out only idle keep-alive connections, so such a connection stayed open
for as long as the client liked. Both backends."""

from __future__ import annotations

import socket
import time

import httpx2 as httpx

from admin.limits import HEADER_TIMEOUT_SECONDS
from tests.system.conftest import Deployment

# A liveness bound, not a speed check: far past the server's limit, so only a server that
# never closes the connection fails it.
GIVE_UP_AFTER = HEADER_TIMEOUT_SECONDS * 6
HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n" + b"X-Slow: a\r\n" * 80


def test_a_slow_header_connection_is_closed_while_others_are_answered(
    deployment: Deployment,
) -> None:
    server = deployment.server()
    dripping = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    dripping.settimeout(0.5)
    began = time.monotonic()
    answered, received, sent = 0, b"", 0
    try:
        while time.monotonic() - began < GIVE_UP_AFTER:
            try:
                if sent < len(HEAD):  # one byte of the head every half second, never its end
                    dripping.sendall(HEAD[sent : sent + 1])
                    sent += 1
            except OSError:  # the server closed it under us: read what it said
                pass
            try:
                chunk = dripping.recv(4096)
            except TimeoutError:
                chunk = None
            except OSError:
                chunk = b""
            if chunk == b"":
                break  # closed by the server
            if chunk:
                received += chunk
            # meanwhile, others are served as usual
            assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200
            answered += 1
        else:
            raise AssertionError(f"a slow-header connection is still open after {GIVE_UP_AFTER} s")
        assert sent < len(HEAD), "closed only after the whole head had been sent"
        assert received.startswith(b"HTTP/1.1 408"), received[:200]
        assert "请求超时".encode() in received and b"x-frame-options: deny" in received.lower()
        assert answered > 0
        # the connection that sent nothing at all is closed too
        silent.settimeout(GIVE_UP_AFTER)
        assert silent.recv(4096).startswith(b"HTTP/1.1 408")
        assert silent.recv(4096) == b""
    finally:
        dripping.close()
        silent.close()
    assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200
    # A request that takes its time but sends its head within the limit is answered.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as patient:
        head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        patient.sendall(head[:10])
        time.sleep(HEADER_TIMEOUT_SECONDS / 5)
        patient.sendall(head[10:])
        reply = b""
        while chunk := patient.recv(4096):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
