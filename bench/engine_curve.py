"""Concurrency curve: `python -m bench.engine --clients 1,2,4,8 --database URL [--quick]`.

For each client count, that many processes (own interpreter, own connection pool) run the
five-ticket chain of bench.engine on distinct cases of one PostgreSQL database at once, for
the same wall time. Printed per client count: whole chains per second (all clients), the p99
latency of one action (intake or ticket, the case view read back included), errors (an
action that failed for good) and retries (an action refused by PostgreSQL with a
serialization failure or a deadlock and run again). Zero errors and zero retries expected:
clients work on different cases, and each action locks only its own case.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _client(url: str, seconds: float, first: int, start_at: float, today: bool, out: Any) -> None:
    import os

    from engine import pipeline

    os.environ[pipeline.SWITCH] = "0" if today else "1"
    from bench.engine import DISPATCHER, MEDIATOR, VISITOR
    from engine import versions
    from engine.cases import Engine
    from engine.clock import ManualClock
    from engine.db import make_engine
    from tests.engine.counties import MONDAY, make_county

    versions.remember(make_county("bench", prefix="BM"))  # built in Python: no stored files
    db = make_engine(url, pool_size=1)
    wf = Engine(db, ManualClock(MONDAY))
    latencies: list[float] = []
    counts = {"cases": 0, "errors": 0, "retries": 0}

    def timed(action: Callable[[], Any]) -> Any:
        for _attempt in range(5):
            began = time.perf_counter()
            try:
                result = action()
            except DBAPIError as error:
                code = getattr(error.orig, "sqlstate", None)
                if code in RETRYABLE:
                    counts["retries"] += 1
                    continue
                raise
            latencies.append(time.perf_counter() - began)
            return result
        raise RuntimeError("gave up after 5 retries")

    def chain(index: int) -> None:
        view = timed(
            lambda: wf.receive(
                "bench",
                "bench",
                channel="来访",
                category="邻里纠纷",
                severity="较大" if index % 2 else "一般",
                location="城关镇/东门村",
                parties=[{"name": f"当事人{index}", "phone": "13800001234"}],
                data={"事由": "邻里纠纷"},
            )
        )
        for who, key, data in (
            (DISPATCHER, "派单", {}),
            (MEDIATOR, "接单", {}),
            (MEDIATOR, "调解成功", {"调解结果": "双方和解"}),
        ):
            view = timed(lambda w=who, k=key, d=data, v=view: wf.act(w, v.tickets[-1].id, k, d))
        view = timed(lambda v=view: wf.evaluate(v.code, "满意"))
        view = timed(lambda v=view: wf.act(VISITOR, v.tickets[-1].id, "核实", {}))
        if view.status != "closed":
            raise RuntimeError(f"{view.code} did not close")

    chain(first)  # warm: forms, calendars, prepared statements
    latencies.clear()
    while time.time() < start_at:
        time.sleep(0.01)
    index = first + 1
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        try:
            chain(index)
            counts["cases"] += 1
        except Exception:
            counts["errors"] += 1
        index += 1
    db.dispose()
    out.put((counts, latencies))


def measure(url: str, clients: int, seconds: float, today: bool = False) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 4 + clients  # every client warmed before the clock starts
    workers = [
        context.Process(
            target=_client,
            args=(url, seconds, 10**7 * (n + 1) + today * 10**6, start_at, today, out),
        )
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(x for _, lat in results for x in lat)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {
        "cases_per_s": sum(c["cases"] for c, _ in results) / seconds,
        "p99_action_ms": p99 * 1000,
        "median_action_ms": (statistics.median(latencies) if latencies else 0.0) * 1000,
        "errors": sum(c["errors"] for c, _ in results),
        "retries": sum(c["retries"] for c, _ in results),
    }


def run(url: str, clients: list[int], quick: bool) -> None:
    from bench.engine import fresh_database

    seconds = 5.0 if quick else 20.0
    from pathlib import Path

    db = fresh_database(url, Path("."))  # the folder only serves SQLite
    db.dispose()
    print(
        f"# concurrency curve on {url.rsplit('/', 1)[-1]}: {seconds:.0f} s per client count"
        " and path (pipelined, then today's: YIDI_PG_PIPELINE=0, same run)"
    )
    for count in clients:
        for today in (False, True):
            load = os.getloadavg()[0]
            figures = measure(url, count, seconds, today)
            line = "  ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
            )
            name = "today" if today else "pipelined"
            print(f"clients={count} path={name}  {line}  load={load:.1f}", flush=True)
