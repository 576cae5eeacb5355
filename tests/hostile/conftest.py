"""One seeded world for the whole corpus run (a county, its staff, a case with an open ticket,
an API key), sessions for each role, a digest of every table, and the counts printed at the
end of the run (inputs tried, 5xx seen, data changed that should not have)."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, MetaData, select, text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_api_key, create_user
from admin.demo import demo_password
from engine.db import make_engine
from engine.settings import Settings
from server import create_app
from tests.support import csrf_of
from tests.web.counties import intake_data
from tests.web.flow import TOWN, cast

COUNTS: Counter[str] = Counter()
# Tables a refused request may still write: none today. (A login attempt that a future
# per-address limiter records would be named here, with the reason.)
VOLATILE: frozenset[str] = frozenset()


@dataclass
class World:
    app: Starlette
    db: Engine
    clients: dict[str, TestClient]
    tokens: dict[str, str]
    api_key: str
    valid: dict[str, str]  # a valid value for each path parameter (URL-encoded)
    api_body: dict[str, Any]
    fields_of: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def login(self, role: str) -> None:
        """(Re)open the role's session: a corpus request may have logged it out."""
        client = self.clients[role]
        client.cookies.clear()
        if role in USERNAMES:
            token = csrf_of(client, "/login")
            form = {"username": USERNAMES[role], "password": demo_password(), "csrf_token": token}
            answer = client.post("/login", data=form)
            assert answer.status_code == 303, answer.text[:300]
        self.tokens[role] = csrf_of(client, "/login" if role not in USERNAMES else "/search")


USERNAMES: dict[str, str] = {}


def _database(tmp: Path, template: Any) -> str:
    from conftest import PG_URL, _truncate_all

    if PG_URL:
        _truncate_all(template)
        return PG_URL
    target = tmp / "yidi.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def world(_migrated_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("hostile")
    url = _database(tmp, _migrated_template)
    db = make_engine(url)
    people = cast(db)
    USERNAMES.update(
        {"dispatcher": people["dispatcher"].username, "clerk": people["clerk"].username}
    )
    USERNAMES["admin"] = "xiaoganadmin"
    victim = create_user(
        db,
        "victim01",
        demo_password(),
        display_name="被操作账号",
        county="xiaogan",
        memberships=[MembershipSpec(TOWN, "调度员")],
    )
    key = create_api_key(db, "12345热线", "xiaogan")
    settings = Settings(
        data_dir=tmp / "data",
        database_url=url,
        secret_key="hostile-corpus-secret",
        host="127.0.0.1",
        port=0,
        log_level="critical",
    )
    app = create_app(settings, db)
    clients = {
        role: TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        for role in ("anonymous", "dispatcher", "clerk", "admin", "api")
    }
    for client in clients.values():
        client.__enter__()
    api_body = {"data": intake_data()}
    pushed = clients["api"].post(
        "/api/v1/cases", json=api_body, headers={"Authorization": f"Bearer {key}"}
    )
    assert pushed.status_code == 201, pushed.text
    code = pushed.json()["code"]
    world = World(app, db, clients, {}, key, {}, api_body)
    for role in clients:
        world.login(role)
    case_page = clients["dispatcher"].get(f"/cases/{code}").text
    ticket, action = re.search(r'href="/tickets/(\d+)/act/([^"]+)"', case_page).groups()
    online = clients["anonymous"].get("/online/xiaogan").text
    form_key = re.search(r"/forms/([^/\"]+)/refresh", online)
    world.valid = {
        "code": code,
        "ticket": ticket,
        "action": action,  # already URL-encoded in the page's link
        "county": "xiaogan",
        "token": "0" * 32,
        "sha256": "0" * 64,
        "user_id": str(victim),
        "kind": "daily",
        "what": "cases",
        "fmt": "csv",
        "key": form_key.group(1) if form_key else "x",
        "letter": _a_letter(db),  # 函件 (admin/letter_pages.py)
        "item": "1",  # a screening task or warning (admin/prevention_pages.py): none here
        "entry": "1",  # a case-library entry (admin/case_library.py): none here
    }
    yield world
    for client in clients.values():
        client.__exit__(None, None, None)
    db.dispose()


def _a_letter(db: Engine) -> str:
    """A 风险预警函 to the town's 司法所, so the letter pages have a real letter to refuse."""
    from engine import letters
    from engine.db import utcnow
    from engine.scope import system

    request = letters.Issue("风险预警函", TOWN, "司法所", "测试")
    return str(letters.issue(db, system("测试", "xiaogan"), request, utcnow()))


_TABLES: dict[str, list[Any]] = {}


def digest(db: Engine) -> dict[str, str]:
    """A digest of every table's rows (the database is small: a few dozen rows). The tables
    are reflected from the database once, so a table added by any migration is covered."""
    key = str(db.url)
    if key not in _TABLES:
        meta = MetaData()
        meta.reflect(db)
        _TABLES[key] = [
            table
            for name, table in sorted(meta.tables.items())
            if name not in VOLATILE and name != "alembic_version"
        ]
    found: dict[str, str] = {}
    with db.connect() as conn:
        for table in _TABLES[key]:
            lines = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            found[table.name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return found


def quoted(value: str) -> str:
    return quote(value, safe="")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    backend = "postgresql" if _is_pg() else "sqlite"
    terminalreporter.write_line(
        f"hostile corpus ({backend}): {COUNTS['inputs']} inputs tried on "
        f"{COUNTS['surfaces']} surfaces, {COUNTS['5xx']} 5xx, "
        f"{COUNTS['traces']} traces or reprs, {COUNTS['changed']} refused requests that "
        f"changed data, {COUNTS['refused']} refused as they must be"
    )


def _is_pg() -> bool:
    from conftest import PG_URL

    return PG_URL is not None


__all__ = ["COUNTS", "World", "digest", "quoted", "text"]
