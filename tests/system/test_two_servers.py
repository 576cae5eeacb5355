"""Several servers, one database (issue 23, point 6): two `yidi serve` processes on different
ports over the same database behave as one system. What one of them (or an operator's tool)
changes is honoured by the other on its very next request: no process may go on trusting
what it remembers (published version, accounts, sessions, API keys).

Each check asks the other server right after the change has committed, without waiting:
stricter than "within a second", and no timing in the assertion.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from admin.accounts import KEYS, USERS, hash_password
from engine.db import writer
from tests.system import casework
from tests.system.conftest import PASSWORD, Deployment
from tests.system.deployment import Server
from tests.system.people import Staff

pytestmark = pytest.mark.slow  # real processes: each start imports and migrates

NEW_PASSWORD = "Changed-password-2026"


def signed_in(staff: Staff) -> bool:
    """Whether this browser's cookie still opens the inbox (a dead session goes to /login)."""
    answer = staff.http.get("/inbox")
    assert answer.status_code in (200, 303), answer.text[-1000:]
    return answer.status_code == 200


def login_status(server: Server, username: str, password: str) -> int:
    browser = Staff(server.base, username, password)
    try:
        token = browser.csrf("/login")
        answer = browser.http.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        return int(answer.status_code)
    finally:
        browser.close()


def warm(deployment: Deployment, server: Server, part: str) -> Staff:
    """Signed in on `server`, having opened the inbox: the process has this user in memory."""
    staff = deployment.person(server, part)
    assert signed_in(staff)
    return staff


def test_two_servers_on_one_database_honour_each_others_changes(
    deployment: Deployment,
) -> None:
    one = deployment.server()
    other = deployment.server()
    assert one.port != other.port

    # A publish through one server's console: the other takes cases on it at once.
    admin = deployment.person(one, "admin")
    clerk_elsewhere = warm(deployment, other, "clerk")
    casework.publish(admin)
    code = casework.register(clerk_elsewhere)
    dispatcher = warm(deployment, other, "dispatcher")
    casework.dispatch(dispatcher, code)

    # A logout on one server ends that user's session on the other too.
    here = warm(deployment, one, "handler")
    there = warm(deployment, other, "handler")
    answer = here.post("/logout", {}, form="/inbox")
    assert answer.status_code == 303, answer.text[-1000:]
    assert not signed_in(there)

    # A password change (new hash, every session ended, as a change of password does):
    # the other server refuses the old cookie and the old password, and takes the new one.
    evaluator = warm(deployment, other, "evaluator")
    with writer(deployment.db).begin() as conn:
        conn.execute(
            update(USERS)
            .where(USERS.c.username == "evaluator")
            .values(
                password_hash=hash_password(NEW_PASSWORD),
                session_epoch=USERS.c.session_epoch + 1,
            )
        )
    assert not signed_in(evaluator)
    assert login_status(other, "evaluator", PASSWORD) != 303
    assert login_status(other, "evaluator", NEW_PASSWORD) == 303

    # A disabled account: its live session on the other server stops, and it cannot log in.
    dispatcher_here = warm(deployment, one, "dispatcher")
    with writer(deployment.db).begin() as conn:
        conn.execute(update(USERS).where(USERS.c.username == "dispatcher").values(active=False))
    assert not signed_in(dispatcher)
    assert not signed_in(dispatcher_here)
    assert login_status(other, "dispatcher", PASSWORD) != 303

    # A revoked API key: both servers answered it a moment ago; neither takes it now.
    callers = [deployment.caller(one), deployment.caller(other)]
    pushed = callers[0].push(casework.api_intake())
    assert pushed.status_code == 201, pushed.text
    by_api = pushed.json()["code"]
    for caller in callers:
        assert caller.status(by_api) == 200
    with writer(deployment.db).begin() as conn:
        conn.execute(update(KEYS).values(active=False))
    for caller in callers:
        assert caller.status(by_api) == 401
        assert caller.push(casework.api_intake()).status_code == 401
