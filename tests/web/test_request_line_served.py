"""`yidi serve` as deployed, over raw sockets: a request line or headers past what uvicorn
buffers, and a target past the app's limit, are answered in Chinese with the security headers
(uvicorn's own answer was a bare English 400 without them: issue 16 point 8)."""

from __future__ import annotations

import os
import socket
import urllib.request

import pytest
from sqlalchemy import Engine

from admin.limits import MAX_REQUEST_HEAD, MAX_TARGET
from tests.engine.test_worker import terminate, wait_for, yidi
from tests.engine.test_worker import yidi_env as yidi_env
from tests.web.counties import publish_xiaogan


def exchange(port: int, head: bytes, piece: int) -> str:
    """Send `head` in pieces of `piece` bytes (as a slow client would); the raw answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            for start in range(0, len(head), piece):
                sock.sendall(head[start : start + piece])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the rest arrived
        chunks = []
        try:
            while chunk := sock.recv(65536):  # to the end: every answer closes
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks).decode("utf-8", "replace")


def request_line(target_size: int) -> bytes:
    target = "/search?q=" + "a" * target_size
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()


@pytest.mark.slow  # a fresh interpreter imports and runs the whole server
def test_oversized_request_lines_get_a_chinese_answer_with_the_security_headers(
    db: Engine,
    yidi_env: dict[str, str],
) -> None:
    publish_xiaogan(db)  # a county exists: no demo data to load
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with yidi({**os.environ, **yidi_env}, "serve", "--port", str(port)) as proc:

        def answering() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_for(answering, "the server to answer", gone=lambda: proc.poll() is not None)
        answers = {
            # past uvicorn's buffer while it arrives in pieces: uvicorn answers by itself
            "200 KB in pieces": exchange(port, request_line(200 * 1024), 4096),
            "450 KB at once": exchange(port, request_line(450 * 1024), 450 * 1024 + 100),
            # within uvicorn's buffer but past the app's limit: the app answers
            "20 KB": exchange(port, request_line(20 * 1024), 4096),
        }
        terminate(proc)
    assert MAX_TARGET < 20 * 1024 < MAX_REQUEST_HEAD < 200 * 1024
    for what, answer in answers.items():
        status = answer.split(" ", 2)[1] if answer.startswith("HTTP/1.1 ") else answer[:80]
        assert status in ("400", "414"), (what, answer[:300])
        assert "x-frame-options: DENY" in answer.lower().replace("deny", "DENY"), (what, answer)
        assert "content-security-policy" in answer.lower(), what
        assert "过长" in answer, (what, answer[:400])
    assert answers["20 KB"].startswith("HTTP/1.1 414"), answers["20 KB"][:200]
