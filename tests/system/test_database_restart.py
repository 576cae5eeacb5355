"""PostgreSQL restarts under load (its own throwaway cluster): while it is down /readyz
answers 503 and requests get a clear 503, never a trace; once it is back every request
succeeds again without restarting yidi. Prints the figures (pytest -s shows them)."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from engine import schema
from engine.db import make_engine
from tests.system import casework, cluster
from tests.system.conftest import Deployment, deploy
from tests.system.people import Caller, Staff

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("YIDI_TEST_DATABASE_URL"),
        reason="PostgreSQL only: restarts a PostgreSQL server (SQLite is a file in the process)",
    ),
]

AFTER = 30  # requests that must all succeed once the database is back
WITHIN = 60.0  # seconds: bound of each wait


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[tuple[cluster.Cluster, Deployment]]:
    found = cluster.create()
    try:
        db = make_engine(found.url)
        schema.upgrade(db)
        db.dispose()
        deployment = deploy(found.url, tmp_path)
        try:
            yield found, deployment
        finally:
            deployment.close()
    finally:
        found.remove()


@dataclass
class Load:
    """Intakes and inbox pages sent without pause, each answer filed under the phase it was
    sent in (before / down / back / after)."""

    caller: Caller
    staff: Staff
    phase: str = "before"
    answers: list[tuple[str, str, int]] = field(default_factory=list)  # phase, what, status
    failed_keys: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def file(self, phase: str, what: str, status: int) -> None:
        with self.lock:
            self.answers.append((phase, what, status))

    def intakes(self) -> None:
        n = 0
        while not self.done.is_set():
            n += 1
            phase, key = self.phase, f"db-restart-{n:04d}"
            try:
                status = self.caller.push(casework.api_intake(), key=key).status_code
            except httpx.TransportError:
                status = 0
            if status != 201:
                self.failed_keys.append(key)
            self.file(phase, "intake", status)

    def pages(self) -> None:
        while not self.done.is_set():
            phase = self.phase
            try:
                answer = self.staff.http.get("/inbox")
                status = answer.status_code
                if status >= 500:
                    assert "Traceback" not in answer.text and "sqlalchemy" not in answer.text
            except httpx.TransportError:
                status = 0
            self.file(phase, "inbox", status)

    def count(self, phase: str) -> int:
        with self.lock:
            return sum(1 for p, _, _ in self.answers if p == phase)

    def figures(self, phase: str) -> tuple[int, int, Counter[int]]:
        """(attempted, succeeded, failures by status) of the phase."""
        with self.lock:
            mine = [status for p, _, status in self.answers if p == phase]
        good = sum(1 for s in mine if s in (200, 201))
        return len(mine), good, Counter(s for s in mine if s not in (200, 201))


def wait(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WITHIN
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def test_a_database_restart_under_load_heals_without_restarting_yidi(own_cluster):
    database, deployment = own_cluster
    server = deployment.server()
    casework.publish(deployment.person(server, "admin"))
    load = Load(deployment.caller(server), deployment.person(server, "dispatcher"))
    threads = [threading.Thread(target=load.intakes), threading.Thread(target=load.pages)]
    for thread in threads:
        thread.start()
    try:
        wait(lambda: load.count("before") >= 10, "work before the restart")
        load.phase = "down"
        database.stop()
        wait(lambda: server.ready() == 503, "/readyz to answer 503")
        wait(lambda: load.count("down") >= 10, "requests while the database is down")
        load.phase = "back"
        database.start()
        wait(lambda: server.ready() == 200, "/readyz to answer 200 again")
        load.phase = "after"
        wait(lambda: load.count("after") >= AFTER, "work after the restart")
    finally:
        load.done.set()
        for thread in threads:
            thread.join()
    assert server.running() and server.runs == 1  # the same yidi process throughout

    figures = {phase: load.figures(phase) for phase in ("before", "down", "back", "after")}
    print("\ndatabase restart (postgresql):")
    for phase, (attempted, good, failures) in figures.items():
        print(f"  {phase:<7} attempted={attempted} succeeded={good} failed={dict(failures)}")
    assert not figures["after"][2], figures["after"]
    # Sent before it went down (answered after), while down, while coming back: a clear
    # 503, never a 500 or a dropped connection.
    for phase in ("before", "down", "back"):
        assert set(figures[phase][2]) <= {503}, (phase, figures[phase])
    # An intake refused while the database was down, retried with its key: created once.
    codes = set()
    for key in load.failed_keys:
        answer = load.caller.push(casework.api_intake(), key=key)
        assert answer.status_code == 201, answer.text
        codes.add(answer.json()["code"])
    assert len(codes) == len(load.failed_keys)
