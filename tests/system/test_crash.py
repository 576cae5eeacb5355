"""kill -9, three times, in the middle of a burst of concurrent actions and API intakes, with
timers coming due: after a restart every case is whole, every answered intake and action is
there, every intake retried with its Idempotency-Key is created exactly once, and every timer
has fired exactly once. Prints the figures (pytest -s shows them)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from engine.db import utcnow, writer
from engine.tables import CASE, TICKET
from engine.timers import schedule
from tests.system import casework
from tests.system.conftest import Deployment
from tests.system.consistency import fired_once, problems
from tests.system.people import Caller, Staff, attempt_action

pytestmark = pytest.mark.slow

TO_DISPATCH = 30  # cases received before the burst, dispatched during it
WITH_TIMERS = 8  # cases that stay at 派单 and get reminders
TIMERS = 120  # reminders coming due through the bursts and after the kills
INTAKES_PER_CALLER = 30
CALLERS = 3
ROUNDS = 3
KILL_AFTER = 10  # intakes answered before each kill (and two actions; bounded by time)
BURST_WITHIN = 15.0  # seconds: a burst's time bound
MARKER = "系统测试"


@dataclass
class Tally:
    """What the burst sent and what it was told, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    intakes: dict[str, int | None] = field(default_factory=dict)  # key -> status (None: none)
    codes: dict[str, str] = field(default_factory=dict)  # answered key -> case code
    actions: dict[str, int | None] = field(default_factory=dict)  # case code -> status

    def answered(self) -> tuple[int, int]:
        """(intakes answered, actions answered) so far."""
        with self.lock:
            return (
                sum(1 for s in self.intakes.values() if s),
                sum(1 for s in self.actions.values() if s),
            )


def push_all(caller: Caller, prefix: str, tally: Tally, stop: float) -> None:
    for n in range(INTAKES_PER_CALLER):
        if time.monotonic() > stop:
            return
        key = f"{prefix}-{n:03d}"
        with tally.lock:
            tally.intakes[key] = None
        try:
            answer = caller.push(casework.api_intake(), key=key)
        except httpx.TransportError:
            return  # the server is gone: this one went unanswered
        with tally.lock:
            tally.intakes[key] = answer.status_code
            if answer.status_code == 201:
                tally.codes[key] = answer.json()["code"]


def dispatch_all(dispatcher: Staff, codes: list[str], tally: Tally, stop: float) -> None:
    for code in codes:
        if time.monotonic() > stop:
            return
        with tally.lock:
            tally.actions[code] = None
        try:
            status = attempt_action(
                dispatcher, code, "派发给承办单位", {"office": "司法所", "instruction": "速办"}
            )
        except httpx.TransportError:
            return
        with tally.lock:
            tally.actions[code] = status


def add_timers(deployment: Deployment, codes: list[str]) -> dict[int, str]:
    """Reminders on the open 派单 tickets of `codes`, due one after another from now on, so
    that some fire before the kill, some are firing at it and some come due after it; each
    reminder's note carries its own tag (提醒<tag>：时限将到)."""
    now = utcnow()
    tags: dict[int, str] = {}
    with writer(deployment.db).begin() as conn:
        rows = conn.execute(
            select(TICKET.c.id, TICKET.c.case_id, TICKET.c.county_id)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code.in_(codes), TICKET.c.state == "open")
        ).all()
        for n in range(TIMERS):
            ticket = rows[n % len(rows)]
            tag = f"{MARKER}{n:03d}"
            timer_id = schedule(
                conn,
                county_id=ticket.county_id,
                case_id=ticket.case_id,
                ticket_id=ticket.id,
                kind="remind",
                due_at=now + timedelta(milliseconds=75 * n),
                payload={"role": tag},
            )
            tags[timer_id] = tag
    return tags


def case_count(deployment: Deployment) -> int:
    with deployment.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CASE)).scalar_one())


def wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def test_kill_9_in_a_burst_loses_nothing_answered(deployment: Deployment, is_postgres: bool):
    server = deployment.server()
    casework.publish(deployment.person(server, "admin"))
    caller = deployment.caller(server)
    before = [caller.push(casework.api_intake()) for _ in range(TO_DISPATCH + WITH_TIMERS)]
    assert all(p.status_code == 201 for p in before)
    codes = [p.json()["code"] for p in before]
    to_dispatch, with_timers = codes[:TO_DISPATCH], codes[TO_DISPATCH:]
    dispatchers = [deployment.person(server, "dispatcher") for _ in range(2)]
    callers = [deployment.caller(server) for _ in range(CALLERS)]
    timers = add_timers(deployment, with_timers)

    tally = Tally()
    for round_ in range(ROUNDS):  # burst, kill -9 mid-burst, restart; again
        stop = time.monotonic() + BURST_WITHIN
        mine = to_dispatch[round_::ROUNDS]
        threads = [
            threading.Thread(target=push_all, args=(c, f"r{round_}-{i}", tally, stop))
            for i, c in enumerate(callers)
        ] + [
            threading.Thread(target=dispatch_all, args=(d, mine[i::2], tally, stop))
            for i, d in enumerate(dispatchers)
        ]
        intakes, actions = tally.answered()
        for thread in threads:
            thread.start()
        # Kill once both kinds of work are well under way (or the time bound is reached).
        while time.monotonic() < stop:
            now_intakes, now_actions = tally.answered()
            if now_intakes >= intakes + KILL_AFTER and now_actions >= actions + 2:
                break
            time.sleep(0.005)
        server.kill()
        for thread in threads:
            thread.join()
        server.start()

    # Every intake the server answered 2xx is there, as answered.
    lost_intakes = [key for key, code in tally.codes.items() if caller.status(code) != 200]
    # Every intake, answered or not, retried with its key: created exactly once.
    retried: dict[str, str] = {}
    for key in tally.intakes:
        answer = caller.push(casework.api_intake(), key=key)
        assert answer.status_code == 201, (key, answer.status_code, answer.text)
        retried[key] = answer.json()["code"]
        if key in tally.codes:
            assert retried[key] == tally.codes[key]
    assert case_count(deployment) == len(codes) + len(tally.intakes)
    assert len(set(retried.values())) == len(retried)
    # Every dispatch answered 303 happened; the others either happened whole or not at all.
    with deployment.db.connect() as conn:
        steps = dict(
            conn.execute(select(CASE.c.code, CASE.c.step).where(CASE.c.code.in_(to_dispatch))).all()
        )
    accepted = [code for code, status in tally.actions.items() if status == 303]
    lost_actions = [code for code in accepted if steps[code] == "派单"]
    wait_until(lambda: fired_once(deployment.db, timers)[0] == len(timers), "every timer")
    fired, reminders, timer_problems = fired_once(deployment.db, timers)
    found = problems(deployment.db)

    backend = "postgresql" if is_postgres else "sqlite"
    intakes_answered = sum(1 for s in tally.intakes.values() if s)
    print(
        f"\nkill -9 ({backend}): intakes attempted={len(tally.intakes)} "
        f"accepted={len(tally.codes)} unanswered={len(tally.intakes) - intakes_answered} "
        f"lost={len(lost_intakes)} (retried with their keys: "
        f"{len(retried)} cases, no duplicate); "
        f"actions attempted={len(tally.actions)} accepted={len(accepted)} "
        f"unanswered={sum(1 for s in tally.actions.values() if s is None)} "
        f"lost={len(lost_actions)}; timers={len(timers)} fired={fired} "
        f"reminders written={reminders}; inconsistent cases={len(found)}"
    )
    assert not lost_intakes and not lost_actions
    assert not timer_problems, timer_problems[:10]
    assert not found, found[:10]
