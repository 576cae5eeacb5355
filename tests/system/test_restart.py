"""A case outlives the server: published, received and started before a restart of
`yidi serve`, claimed, handled, evaluated and verified after it (issue 15: after any restart
every ticket action was refused as 「该单不属于您所在的县区」). Also with two web workers and a
separate `yidi worker`, where each request may land in a process that never saw the county."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from engine.db import utcnow, writer
from engine.tables import TICKET
from engine.timers import schedule, timer
from tests.system import casework
from tests.system.conftest import Deployment
from tests.system.deployment import Server

pytestmark = pytest.mark.slow  # real processes: each start imports and migrates


def whole_path_across_a_restart(deployment: Deployment, server: Server) -> None:
    admin = deployment.person(server, "admin")
    casework.publish(admin)
    clerk = deployment.person(server, "clerk")
    dispatcher = deployment.person(server, "dispatcher")
    caller = deployment.caller(server)
    at_window = casework.register(clerk)
    pushed = caller.push(casework.api_intake(), key="12345-restart-0001")
    assert pushed.status_code == 201, pushed.text
    by_api = pushed.json()["code"]
    casework.dispatch(dispatcher, at_window)

    server.restart()  # the same sessions and key go on against a fresh process

    handler = deployment.person(server, "handler")
    evaluator = deployment.person(server, "evaluator")
    revisitor = deployment.person(server, "revisitor")
    for code in (at_window, by_api):
        if code == by_api:
            casework.dispatch(dispatcher, code)
        casework.handle(handler, code)
        casework.evaluate(evaluator, code)
        casework.verify(revisitor, code)
        assert caller.case(code)["status"] == "closed"
    replay = caller.push(casework.api_intake(), key="12345-restart-0001")
    assert replay.status_code == 201 and replay.json()["code"] == by_api


def test_a_case_is_finished_after_the_server_restarts(deployment: Deployment) -> None:
    whole_path_across_a_restart(deployment, deployment.server())


def test_two_web_workers_and_a_separate_timer_worker(deployment: Deployment) -> None:
    server = deployment.server("--workers", "2", YIDI_EMBEDDED_WORKER="0")
    worker = deployment.worker()
    whole_path_across_a_restart(deployment, server)
    # The web processes fire no timers here: a reminder coming due is fired by `yidi worker`.
    due = remind_now(deployment)
    wait_for(lambda: fired_by(deployment, due) is not None, "yidi worker to fire the reminder")
    assert worker.proc is not None and f":{worker.proc.pid}:" in str(fired_by(deployment, due))
    assert worker.running(), worker.output()


def remind_now(deployment: Deployment) -> int:
    """A reminder due now on the oldest open ticket (the timer worker's work)."""
    with writer(deployment.db).begin() as conn:
        ticket = conn.execute(
            select(TICKET.c.id, TICKET.c.case_id, TICKET.c.county_id).order_by(TICKET.c.id).limit(1)
        ).one()
        return schedule(
            conn,
            county_id=ticket.county_id,
            case_id=ticket.case_id,
            ticket_id=ticket.id,
            kind="remind",
            due_at=utcnow(),
        )


def fired_by(deployment: Deployment, timer_id: int) -> str | None:
    with deployment.db.connect() as conn:
        found: str | None = conn.execute(
            select(timer.c.fired_by).where(timer.c.id == timer_id)
        ).scalar_one()
        return found


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120  # a liveness bound, not a speed check
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)
