"""A case outlives the server: published, received and started before a restart of
`yidi serve`, claimed, handled, evaluated and verified after it (issue 15: after any restart
every ticket action was refused as 「该单不属于您所在的县区」). Also with two web workers and a
separate `yidi worker`, where each request may land in a process that never saw the county."""

from __future__ import annotations

import pytest

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
    assert worker.running(), worker.output()
