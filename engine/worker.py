"""The timer worker loop: `yidi worker`, and a background thread inside `yidi serve`.

Several workers may run at once on PostgreSQL (they skip each other's locked rows); on SQLite
they queue on the write lock, which is still correct, only not parallel.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from engine import scheduler
from engine.clock import Clock, SystemClock
from engine.timers import DEFAULT_DISPATCHER, Handler, default_worker_id, fire_due

log = logging.getLogger(__name__)

# Modules that register timer handlers on DEFAULT_DISPATCHER when imported; the worker imports
# them before its first poll so `yidi worker` knows every kind the engine schedules.
HANDLER_MODULES: tuple[str, ...] = ("engine.firing", "engine.letters")  # letters: i20letters


@dataclass(frozen=True)
class Chore:
    """Housekeeping the worker runs every `every` seconds beside the timers (first at start)."""

    name: str
    every: float
    run: Callable[[Engine], object]


# Registered by the composition root (server.py), which knows the web side's chores (the
# attachment sweep) that the engine may not import; `yidi serve` and `yidi worker` both run it.
CHORES: dict[str, Chore] = {}


def register_chore(chore: Chore) -> None:
    CHORES[chore.name] = chore


def run_chores(engine: Engine, next_due: dict[str, float] | None = None) -> None:
    """Run the chores that are due (all of them without `next_due`). A failure is logged and
    the chore tried again at its next turn: housekeeping never stops the timers."""
    now = time.monotonic()
    for chore in list(CHORES.values()):
        if next_due is not None and now < next_due.get(chore.name, 0.0):
            continue
        try:
            chore.run(engine)
        except Exception:
            log.exception("工作进程的例行任务“%s”失败，下次再试", chore.name)
        if next_due is not None:
            next_due[chore.name] = now + chore.every


def load_handler_modules(names: tuple[str, ...] | None = None) -> None:
    for name in HANDLER_MODULES if names is None else names:
        importlib.import_module(name)


def run_worker(
    engine: Engine,
    clock: Clock,
    handler: Handler,
    *,
    poll_interval: float = 1.0,
    stop_event: threading.Event,
    batch: int = 500,
    worker_id: str = "",
) -> None:
    """Fire due timers and run due periodic jobs until `stop_event` is set, polling every
    `poll_interval` seconds.

    A database error (server restarting, lock timeout) is logged and retried at the next poll:
    nothing was half-done, because each batch is one transaction.
    """
    if poll_interval <= 0:
        raise ValueError(f"轮询间隔必须大于 0 秒（收到 {poll_interval}）")
    who = worker_id or default_worker_id()
    chores_due: dict[str, float] = {}
    while not stop_event.is_set():
        run_chores(engine, chores_due)
        try:
            fired = fire_due(engine, clock, handler, batch=batch, worker_id=who)
            # Periodic jobs (engine/scheduler.py): each runs once per county and period.
            ran = scheduler.run_due(engine, clock.now(), worker_id=who)
        except DBAPIError as error:
            log.warning("定时器工作进程 %s 访问数据库失败，稍后重试: %s", who, error)
        else:
            if fired or ran:
                log.info("定时器工作进程 %s 触发了 %d 个定时器、%d 个定时任务", who, fired, ran)
        stop_event.wait(poll_interval)


def start_background(
    engine: Engine, clock: Clock, handler: Handler, *, poll_interval: float = 1.0
) -> tuple[threading.Thread, threading.Event]:
    """Run the worker in a daemon thread (the embedded default of `yidi serve`).

    Returns the thread and the event that stops it: set the event, then join the thread.
    """
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(engine, clock, handler),
        kwargs={"poll_interval": poll_interval, "stop_event": stop},
        name="yidi-timer-worker",
        daemon=True,
    )
    thread.start()
    return thread, stop


@contextmanager
def embedded(engine: Engine, *, poll_interval: float = 1.0) -> Iterator[bool]:
    """The timer worker inside `yidi serve`, for the embedded single-process default.

    Yields whether it runs: YIDI_EMBEDDED_WORKER=0 turns it off when separate `yidi worker`
    processes do the firing (keeping it on alongside them is harmless, only redundant).
    """
    if os.environ.get("YIDI_EMBEDDED_WORKER", "1") == "0":
        yield False
        return
    load_handler_modules()
    thread, stop = start_background(
        engine, SystemClock(), DEFAULT_DISPATCHER, poll_interval=poll_interval
    )
    try:
        yield True
    finally:
        stop.set()
        thread.join(timeout=30)
