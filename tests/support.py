"""Helpers shared by the tests: CSRF tokens for the web and console, races for the engine."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from starlette.testclient import TestClient

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's hidden field."""
    found = TOKEN.search(client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)


def run_at_once(*calls: Callable[[], object]) -> list[BaseException | None]:
    """Run the calls in threads released together; what each raised (None: it returned), in
    order: a race's loser is read from its exception, not lost in its thread."""
    start = threading.Barrier(len(calls))
    raised: list[BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        try:
            calls[index]()
        except BaseException as error:
            raised[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised


T = TypeVar("T")


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a thread of its own. Once a browser test has run, Playwright's sync API
    leaves this thread's event loop marked running, and asyncio.run here would refuse; the
    coroutine is made in that thread too, so a refusal can leave none un-awaited."""
    with concurrent.futures.ThreadPoolExecutor(1) as runner:
        return runner.submit(lambda: asyncio.run(make())).result()
