"""A deployment per test: the test's database (SQLite file or PostgreSQL, from `db_url`), a
data folder, the xiaogan county registered but not yet published, its staff accounts, and
`yidi serve` / `yidi worker` processes the test starts; every process is killed at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from admin.accounts import create_user
from admin.demo import plan
from engine.db import make_engine, utcnow
from engine.registry import COUNTY_T
from tests.system.deployment import Process, Server, free_port, serve_args, yidi_command
from tests.system.people import Caller, Staff
from tests.web.counties import xiaogan
from tests.web.flow import COUNTY_CENTER, TOWN

PASSWORD = "System-test-2026"
# Who plays each part (as in tests/web/flow.py): (center, role, office)
PARTS = {
    "clerk": (TOWN, "窗口人员", None),
    "dispatcher": (TOWN, "调度员", None),
    "handler": (TOWN, "承办人", "司法所"),
    "evaluator": (TOWN, "评单员", None),
    "revisitor": (COUNTY_CENTER, "回访员", None),
}


@dataclass
class Deployment:
    url: str
    data: Path
    db: Engine
    env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    clients: list[Staff | Caller] = field(default_factory=list)
    api_key: str = ""

    def server(self, *extra: str, **env: str) -> Server:
        port = free_port()
        found = Server({**self.env, **env}, serve_args(port, *extra), self.data / "logs", port=port)
        self.processes.append(found)
        found.start()
        return found

    def worker(self, **env: str) -> Process:
        found = Process({**self.env, **env}, ("worker", "--poll", "0.2"), self.data / "logs")
        self.processes.append(found)
        found.start()
        return found

    def person(self, server: Server, part: str) -> Staff:
        found = Staff(server.base, part, PASSWORD)
        self.clients.append(found)
        return found.sign_in()

    def caller(self, server: Server) -> Caller:
        if not self.api_key:
            out = yidi_command(
                self.env, "apikey", "add", "--system", "12345热线", "--county", "xiaogan"
            )
            self.api_key = out.strip().splitlines()[-1]
        found = Caller(server.base, self.api_key)
        self.clients.append(found)
        return found

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for process in self.processes:
            process.kill()
        self.db.dispose()


def deploy(url: str, folder: Path) -> Deployment:
    """Register xiaogan (so that `yidi serve` loads no demo data) and create its staff; the
    definition itself is published by the test, through the console."""
    db = make_engine(url)
    model = xiaogan()
    with db.begin() as conn:
        conn.execute(insert(COUNTY_T).values(code="xiaogan", name=model.name, created_at=utcnow()))
    specs = {
        (a.membership.center, a.membership.role, a.membership.office): a.membership
        for a in plan(model)
        if a.membership
    }
    for part, where in PARTS.items():
        create_user(
            db, part, PASSWORD, display_name=part, county="xiaogan", memberships=[specs[where]]
        )
    create_user(
        db,
        "admin",
        PASSWORD,
        display_name="管理员",
        county="xiaogan",
        memberships=[],
        is_admin=True,
    )
    data = folder / "data"
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": url,
        "YIDI_DATA_DIR": str(data),
        "YIDI_SECRET_KEY": "system-test-secret",  # sessions outlive a restart, as in production
        "YIDI_LOG_LEVEL": "warning",
    }
    env.pop("YIDI_EMBEDDED_WORKER", None)
    return Deployment(url, data, db, env)


@pytest.fixture
def deployment(db_url: str, tmp_path: Path) -> Iterator[Deployment]:
    found = deploy(db_url, tmp_path)
    try:
        yield found
    finally:
        found.close()
