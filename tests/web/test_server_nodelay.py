"""`yidi serve --workers N`: Nagle's algorithm off on every accepted connection.

uvicorn's multi-worker mode binds the listening socket without naming the TCP protocol, so
asyncio leaves Nagle on for the accepted sockets (uvicorn #3149) and each keep-alive response
waits ~40 ms. The listener below is bound the same way."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import uvicorn
from uvicorn.server import ServerState

import server


async def _nodelay_of(protocol: type[asyncio.Protocol]) -> int:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]  # never called
        raise AssertionError

    config = uvicorn.Config(app=app, log_level="warning")
    config.load()
    state = ServerState()
    seen: list[int] = []

    class Spy(protocol):  # type: ignore[misc,valid-type]
        def connection_made(self, transport):  # type: ignore[no-untyped-def]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, like uvicorn's
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    loop = asyncio.get_running_loop()
    served = await loop.create_server(
        lambda: Spy(config=config, server_state=state, app_state={}), sock=listener
    )
    _reader, writer = await asyncio.open_connection(*listener.getsockname())
    for _ in range(200):
        if seen:
            break
        await asyncio.sleep(0.01)
    writer.close()
    served.close()
    await served.wait_closed()
    assert seen, "no connection was accepted"
    return seen[0]


def _in_own_thread(protocol: type[asyncio.Protocol]) -> int:
    """asyncio.run in a thread of its own: other tests (Playwright) may leave a loop running
    in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _nodelay_of(protocol)).result(timeout=30)


def test_uvicorns_own_protocol_leaves_nagle_on_for_such_a_listener() -> None:
    # The problem the server works around; if uvicorn fixes it, this test says so.
    assert _in_own_thread(server._HTTPProtocol) == 0


def test_the_servers_protocol_turns_nagle_off() -> None:
    assert _in_own_thread(server.NoDelayHTTPProtocol) != 0
