"""Signed-in users kept in memory (admin.auth.UserCache) and verified cookies
(admin.session): every change to an account, from any process, takes effect on the very next
request, and an old cookie expires as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from starlette.testclient import TestClient

import admin.session
from admin.accounts import MEMBERS, USERS, MembershipSpec
from admin.auth import CHANGE_STAMP, UserCache, accounts_stamp
from engine.db import make_engine
from tests.web.conftest import PASSWORD, login
from tests.web.seed import TOWN_A, TOWN_B, Seeder

HANDLER_A = MembershipSpec(center=TOWN_A, role="调解员", office="司法所")


@pytest.fixture
def seeded(db: Engine) -> Seeder:
    return Seeder(db).publish()


def _user_id(db: Engine, username: str) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar_one()
        )


def _epoch(db: Engine, user_id: int) -> int:
    with db.connect() as conn:
        found = conn.execute(select(USERS.c.session_epoch).where(USERS.c.id == user_id))
        return int(found.scalar_one())


def test_a_user_is_loaded_once_while_no_account_changes(db: Engine, make_user) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    uid = _user_id(db, "handler_a")
    cache = UserCache()
    first = cache.user(db, uid, 0)
    assert first is not None and first.memberships[0].center == TOWN_A
    assert cache.user(db, uid, 0) is first  # from memory
    make_user("someone_else", HANDLER_A, county="webxian")  # any account change: load again
    again = cache.user(db, uid, 0)
    assert again == first and again is not first


def test_a_deactivation_by_another_process_locks_the_user_out_at_once(
    client: TestClient, db_url: str, make_user, seeded
) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    assert login(client, "handler_a") == 303
    assert client.get("/inbox").status_code == 200  # the user is now in the app's memory
    other_process = make_engine(db_url)
    with other_process.begin() as conn:
        conn.execute(update(USERS).where(USERS.c.username == "handler_a").values(active=False))
    other_process.dispose()
    response = client.get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_membership_added_elsewhere_widens_the_inbox_on_the_next_request(
    client: TestClient, db: Engine, make_user, seeded
) -> None:
    mine, theirs = seeded.case(TOWN_A), seeded.case(TOWN_B)
    seeded.ticket(mine, TOWN_A)
    seeded.ticket(theirs, TOWN_B)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    page = client.get("/inbox").text
    assert mine in page and theirs not in page
    uid = _user_id(db, "handler_a")
    with db.begin() as conn:  # no new session epoch: the cookie stays valid
        conn.execute(
            insert(MEMBERS).values(
                user_id=uid, county="webxian", center=TOWN_B, office="司法所", role="调解员"
            )
        )
    page = client.get("/inbox").text
    assert mine in page and theirs in page
    with db.begin() as conn:
        conn.execute(delete(MEMBERS).where(MEMBERS.c.user_id == uid, MEMBERS.c.center == TOWN_A))
    page = client.get("/inbox").text
    assert mine not in page and theirs in page


def test_logout_on_another_device_ends_this_session_too(db: Engine, make_user) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    uid = _user_id(db, "handler_a")
    cache = UserCache()
    assert cache.user(db, uid, 0) is not None
    with db.begin() as conn:
        conn.execute(update(USERS).where(USERS.c.id == uid).values(session_epoch=1))
    assert cache.user(db, uid, 0) is None
    assert cache.user(db, uid, _epoch(db, uid)) is not None


def test_failed_logins_leave_the_stamp_alone(client: TestClient, db: Engine, make_user) -> None:
    # A password guesser must not be able to empty every worker's memory of users.
    make_user("handler_a", HANDLER_A, county="webxian")
    before = accounts_stamp(db)
    for _ in range(4):  # counted in admin.throttle's table, never on the account
        assert login(client, "handler_a", "wrong-password") == 401
    assert accounts_stamp(db) == before
    assert login(client, "handler_a", PASSWORD) == 303  # success clears the counter: no bump
    assert accounts_stamp(db) == before


def test_without_a_stamp_row_every_request_reads_the_account(db: Engine, make_user) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    uid = _user_id(db, "handler_a")
    with db.begin() as conn:
        conn.execute(delete(CHANGE_STAMP))
    assert accounts_stamp(db) is None
    cache = UserCache()
    first = cache.user(db, uid, 0)
    assert first is not None and cache.user(db, uid, 0) is not first
    with db.begin() as conn:  # the trigger puts the row back and counts from there
        conn.execute(update(USERS).where(USERS.c.id == uid).values(active=False))
    assert accounts_stamp(db) == 1
    assert cache.user(db, uid, 0) is None


def test_a_verified_cookie_still_expires(
    client: TestClient, make_user, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    assert client.get("/inbox").status_code == 200  # the cookie is now verified and remembered
    later = admin.session._now() + admin.session.MAX_AGE + timedelta(minutes=1).seconds
    monkeypatch.setattr(admin.session, "_now", lambda: later)  # the server's clock only
    response = client.get("/inbox")
    assert response.status_code == 303


def test_a_tampered_cookie_is_refused(client: TestClient, make_user, seeded) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    assert client.get("/inbox").status_code == 200
    value = client.cookies["yidi_session"]
    client.cookies.clear()
    client.cookies.set("yidi_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/inbox").status_code == 303
