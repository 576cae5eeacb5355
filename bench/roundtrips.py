"""Counting round trips, not estimating them.

PostgreSQL: the benchmark's counting pass connects through `TurnCounter`, a small TCP relay
between the driver and the server that counts turns: every time the server starts answering
after the client has sent something, one round trip has happened (the client waited on the
network). It sees the bytes on the wire, so it counts whatever the driver does (BEGIN,
pre-ping, pipelined statements, COMMIT) without trusting the driver's own account. A server
reply split over several packets is one turn; a client that keeps sending while the server
answers (a pipeline) can only be counted more, never less.

SQLite: no network; a "round trip" there is a call into the library, counted with sqlite3's
trace callback (every statement it runs, BEGIN and COMMIT included).
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url


class TurnCounter:
    """A relay on 127.0.0.1:<port> to `host:port` counting server turns on every connection."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.turns = 0
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        client_spoke = False
        try:
            while True:
                ready, _, _ = select.select([client, server], [], [])
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        server.sendall(data)
                        client_spoke = True
                    else:
                        if client_spoke:
                            with self._lock:
                                self.turns += 1
                            client_spoke = False
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def url(self, url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(False)

    def close(self) -> None:
        self._closing = True
        self._listener.close()


@contextmanager
def sqlite_calls(db: Engine) -> Iterator[dict[str, int]]:
    """Statements SQLite runs on connections of `db` while the block runs (trace callback)."""
    seen = {"calls": 0}
    traced: list[Any] = []

    def count(_statement: str) -> None:
        seen["calls"] += 1

    def on_checkout(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(count)
        traced.append(dbapi_connection)

    event.listen(db, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(db, "checkout", on_checkout)
        for dbapi_connection in traced:
            dbapi_connection.set_trace_callback(None)


def target_of(url: str) -> tuple[str, int]:
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432
