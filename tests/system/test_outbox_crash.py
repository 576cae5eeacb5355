"""The outbox survives kill -9 of `yidi worker` mid-delivery (issue 20, point 3): real
`yidi serve` and `yidi worker` processes, a real receiving HTTP server started here that holds
the first reply open while the worker is killed; the restarted worker sends it again with the
same event id, the receiver dedupes, and every reply arrives, in order."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from engine import outbox
from tests.system import casework
from tests.system.conftest import Deployment
from tests.system.deployment import yidi_command

pytestmark = pytest.mark.slow  # real processes: each start imports and migrates
WITHIN = 120.0  # a liveness bound on a loaded machine, not a speed check


class Receiver:
    def __init__(self) -> None:
        self.posts: list[str] = []  # event ids, as they arrive (duplicates included)
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    def unique(self) -> list[str]:
        return list(dict.fromkeys(self.posts))


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.posts.append(json.loads(body)["id"])
            if not got.first_arrived.is_set():
                got.first_arrived.set()
                got.release.wait(WITHIN)  # the worker is killed while this one hangs
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield got, f"http://127.0.0.1:{server.server_address[1]}/replies"
    got.release.set()
    server.shutdown()
    server.server_close()


def outbox_rows(deployment: Deployment) -> list[Any]:
    with deployment.db.connect() as conn:
        return list(conn.execute(select(outbox.OUTBOX).order_by(outbox.OUTBOX.c.id)))


def test_kill_9_of_the_worker_mid_delivery_redelivers_and_loses_nothing(
    deployment: Deployment, receiver: tuple[Receiver, str]
) -> None:
    got, url = receiver
    server = deployment.server(YIDI_EMBEDDED_WORKER="0")  # only `yidi worker` delivers
    casework.publish(deployment.person(server, "admin"))
    out = yidi_command(
        deployment.env, "apikey", "add", "--system", "12345热线", "--county", "xiaogan",
        "--callback", url,
    )  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[2] == f"回告地址已登记：{url}"
    deployment.api_key = lines[1]
    caller = deployment.caller(server)
    pushed = caller.push(casework.api_intake())
    assert pushed.status_code == 201, pushed.text
    code = pushed.json()["code"]
    casework.dispatch(deployment.person(server, "dispatcher"), code)
    casework.handle(deployment.person(server, "handler"), code)
    written = [r.event_id for r in outbox_rows(deployment)]
    assert len(written) >= 3  # dispatched, accepted, handled

    worker = deployment.worker(YIDI_OUTBOX_LEASE="2")
    assert got.first_arrived.wait(WITHIN), worker.output()[-2000:]
    worker.kill()  # kill -9 while the receiver holds the first reply
    got.release.set()
    assert outbox_rows(deployment)[0].state == "pending"  # never marked: it is sent again

    worker.start()
    deadline = time.monotonic() + WITHIN
    while any(r.state != "delivered" for r in outbox_rows(deployment)):
        assert time.monotonic() < deadline, worker.output()[-2000:]
        time.sleep(0.2)
    assert got.posts.count(written[0]) == 2  # redelivered with the same id ...
    assert got.unique() == written  # ... deduped: each reply once, none lost, in order
