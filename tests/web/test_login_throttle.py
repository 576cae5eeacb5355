"""Logins under attack (issue 16, points 1 and 7): the password check holds no database
transaction, known and unknown usernames get the same answers, an attacker's failures slow the
attacker's address and never lock the real user out, one address cannot spray many accounts,
and the checks run a few at a time off the event loop. Both backends."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

import admin.accounts
from admin import hashing
from admin.accounts import USERS
from admin.auth import StaffMembership
from admin.console import people
from engine.clock import ManualClock
from engine.db import writer
from tests.support import run_coroutine
from tests.web.casework import MONDAY
from tests.web.conftest import PASSWORD, csrf_of

CLERK = StaffMembership(center="城关镇", role="窗口受理员", window="综合受理窗口")
ATTACKER = ("203.0.113.9", 40000)
STAFF_DESK = ("198.51.100.7", 40000)


@pytest.fixture
def clock(app: Any) -> ManualClock:
    found = ManualClock(MONDAY)
    app.state.clock = found
    return found


@pytest.fixture
def from_address(app: Any) -> Any:
    """A client connecting from the given address (what uvicorn reports as the peer)."""
    opened: list[TestClient] = []

    def make(address: tuple[str, int]) -> TestClient:
        client = TestClient(app, client=address, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def attempt(client: TestClient, username: str, password: str) -> Any:
    token = csrf_of(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _alert(html: str) -> str:
    """The login page's error message (the rest of the page echoes the username)."""
    start = html.index('class="alert')
    return html[start : html.index("</", start)]


def test_known_and_unknown_usernames_get_the_same_answers(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], clock: ManualClock
) -> None:
    make_user("clerk", CLERK)
    known, unknown = from_address(("203.0.113.1", 1)), from_address(("203.0.113.2", 1))
    for _ in range(6):  # past the free failures: the slowing down must not tell them apart
        a, b = attempt(known, "clerk", "wrong"), attempt(unknown, "nobody", "wrong")
        assert (a.status_code, _alert(a.text)) == (b.status_code, _alert(b.text))
        assert "再错" not in a.text and "锁定" not in a.text
    assert a.status_code == 429 and "请 1 分钟后再试" in a.text
    assert a.headers["retry-after"] == b.headers["retry-after"]


def test_an_attackers_failures_do_not_lock_the_real_user_out(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], clock: ManualClock
) -> None:
    make_user("clerk", CLERK)
    attacker = from_address(ATTACKER)
    statuses = [attempt(attacker, "clerk", f"guess{n}").status_code for n in range(12)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    # The attacker is slowed even with the right password...
    assert attempt(attacker, "clerk", PASSWORD).status_code == 429
    # ...while the clerk, at a desk that has not failed, signs in at once.
    assert attempt(from_address(STAFF_DESK), "clerk", PASSWORD).status_code == 303


def test_one_address_cannot_spray_eleven_accounts(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], clock: ManualClock
) -> None:
    names = [make_user(f"staff{n:02d}", CLERK) for n in range(11)]
    attacker = from_address(ATTACKER)
    statuses = [attempt(attacker, name, "Password1").status_code for name in names]
    assert statuses == [401] * 10 + [429]
    assert attempt(attacker, names[10], PASSWORD).status_code == 429  # nothing is checked
    assert attempt(from_address(STAFF_DESK), names[10], PASSWORD).status_code == 303


def test_the_wait_doubles_and_is_forgotten_after_an_hour(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], clock: ManualClock
) -> None:
    make_user("clerk", CLERK)
    attacker = from_address(ATTACKER)
    for _ in range(5):
        assert attempt(attacker, "clerk", "wrong").status_code == 401
    waits = []
    for _ in range(3):
        refused = attempt(attacker, "clerk", PASSWORD)
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert attempt(attacker, "clerk", "wrong").status_code == 401  # checked again
    assert waits == [60, 120, 240]
    clock.advance(timedelta(hours=1))
    assert attempt(attacker, "clerk", PASSWORD).status_code == 303


def test_a_success_clears_the_account_counter_but_not_the_addresss(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], clock: ManualClock
) -> None:
    make_user("clerk", CLERK)
    make_user("other", CLERK)
    desk = from_address(STAFF_DESK)
    for _ in range(4):
        assert attempt(desk, "clerk", "wrong").status_code == 401
    assert attempt(desk, "clerk", PASSWORD).status_code == 303
    desk.cookies.clear()
    for _ in range(4):  # four more on the account: the success had started it again...
        assert attempt(desk, "clerk", "wrong").status_code == 401
    assert attempt(desk, "clerk", PASSWORD).status_code == 303
    desk.cookies.clear()
    # ...but not the address's: ten failures from it in all, and it waits, whichever account
    for _ in range(2):
        assert attempt(desk, "other", "wrong").status_code == 401
    assert attempt(desk, "other", PASSWORD).status_code == 429


def test_a_password_reset_lifts_the_accounts_slowing_down(
    app: Any,
    from_address: Callable[..., TestClient],
    make_user: Callable[..., str],
    clock: ManualClock,
    db: Engine,
) -> None:
    make_user("clerk", CLERK)
    desk = from_address(STAFF_DESK)
    for _ in range(5):
        assert attempt(desk, "clerk", "forgotten").status_code == 401
    assert attempt(desk, "clerk", PASSWORD).status_code == 429
    with db.connect() as conn:
        user_id = conn.execute(select(USERS.c.id).where(USERS.c.username == "clerk")).scalar()
    people.reset_password(db, "xiaogan", "admin", int(user_id), "New-password-2026")
    assert attempt(desk, "clerk", "New-password-2026").status_code == 303


def test_failures_do_not_write_the_account_row(
    from_address: Callable[..., TestClient], make_user: Callable[..., str], db: Engine
) -> None:
    make_user("clerk", CLERK)
    with db.connect() as conn:
        before = conn.execute(select(USERS).where(USERS.c.username == "clerk")).one()
    attacker = from_address(ATTACKER)
    for _ in range(7):
        attempt(attacker, "clerk", "wrong")
    with db.connect() as conn:
        after = conn.execute(select(USERS).where(USERS.c.username == "clerk")).one()
    assert after == before


class SlowHasher:
    """argon2's PasswordHasher whose verify stops in the middle until the test has written."""

    def __init__(self, real: Any, during: Callable[[], None]) -> None:
        self.real, self.during = real, during
        self.seen: list[str] = []

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        self.during()
        return bool(self.real.verify(password_hash, password))


def test_a_login_holds_no_database_transaction_while_checking_the_password(
    client: TestClient,
    make_user: Callable[..., str],
    db: Engine,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user("clerk", CLERK)
    make_user("other", CLERK)
    observed: dict[str, Any] = {}

    def write_meanwhile() -> None:
        # Nothing of the login's may be checked out of the pool: no open transaction...
        observed["connections"] = db.pool.checkedout()
        # ...so another writer gets the write lock at once (SQLite: no waiting at all).
        if db.dialect.name == "sqlite":
            other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute(
                    "UPDATE user_account SET display_name = '改名' WHERE username = 'other'"
                )
                other.commit()
            finally:
                other.close()
        else:
            with writer(db).begin() as conn:
                conn.execute(
                    update(USERS).where(USERS.c.username == "other").values(display_name="改名")
                )
        observed["wrote"] = True

    monkeypatch.setattr(
        admin.accounts, "_hasher", SlowHasher(admin.accounts._hasher, write_meanwhile)
    )
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:300]
    assert observed == {"connections": 0, "wrote": True}
    with db.connect() as conn:
        name = conn.execute(select(USERS.c.display_name).where(USERS.c.username == "other"))
        assert name.scalar() == "改名"


def test_password_checks_run_a_few_at_a_time_at_low_priority_and_a_few_per_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    running: list[int] = []
    niceness: list[int] = []
    lock = threading.Lock()
    peak = [0]

    def slow_verify(password_hash: str, password: str) -> bool:
        with lock:
            running.append(1)
            peak[0] = max(peak[0], len(running))
            niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        release.wait(timeout=30)
        with lock:
            running.pop()
        return False

    monkeypatch.setattr(admin.accounts, "verify_password", slow_verify)
    monkeypatch.setattr(hashing, "SLOTS", 2)
    monkeypatch.setattr(hashing, "WAITING", 7)
    monkeypatch.setattr(hashing, "_executor", None)

    async def scenario() -> list[bool | None]:
        # five from one address, then six from six others: 2 running + 7 waiting at most
        same = [asyncio.create_task(hashing.check("10.9.9.9", "h", "p")) for _ in range(5)]
        spread = [asyncio.create_task(hashing.check(f"10.0.0.{n}", "h", "p")) for n in range(6)]
        for _ in range(5000):  # until two checks are running (bounded; no timing asserted)
            await asyncio.sleep(0.002)
            if peak[0] == 2:
                break
        assert same[4].done() and spread[5].done()  # answered at once, not queued
        release.set()
        return list(await asyncio.gather(*same, *spread))

    base = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        results = run_coroutine(scenario)
    finally:
        release.set()
        assert hashing._executor is not None
        hashing._executor.shutdown(wait=True)
    assert results[4] is None  # a fifth at once from one address
    assert results[10] is None  # a tenth in all: two running and seven waiting already
    assert [r for n, r in enumerate(results) if n not in (4, 10)] == [False] * 9
    assert peak[0] == 2
    assert set(niceness) == {min(19, base + hashing.NICENESS)}


def test_x_forwarded_for_is_believed_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Else uvicorn believes it from 127.0.0.1, and a fresh address per guess is one header away.
    import server

    monkeypatch.delenv("YIDI_TRUSTED_PROXIES", raising=False)
    assert server.proxy_options() == {"proxy_headers": False}
    monkeypatch.setenv("YIDI_TRUSTED_PROXIES", "10.0.0.2, 10.0.0.3")
    assert server.proxy_options() == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.2, 10.0.0.3",
    }


def test_a_refused_login_is_held_before_its_answer_and_a_wrong_password_is_not(
    from_address: Callable[..., TestClient],
    make_user: Callable[..., str],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A throttled guesser gets its 429 only after HOLD_SECONDS (no CPU spent meanwhile), so
    forty of them ask about once per hold instead of hundreds of times a second (bench.attack:
    the API's p99 under attack). The in-process tests run without the hold; here it is on."""
    import admin.login

    held: list[float] = []

    async def record(seconds: float) -> None:
        held.append(seconds)

    monkeypatch.setattr(admin.login, "HOLD_SECONDS", 2.0)
    monkeypatch.setattr(admin.login, "_pause", record)
    make_user("clerk", CLERK)
    attacker = from_address(ATTACKER)
    statuses = [attempt(attacker, "clerk", f"guess{n}").status_code for n in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    assert held == [2.0, 2.0]  # the two refusals, not the five checked failures
    assert attempt(from_address(STAFF_DESK), "clerk", PASSWORD).status_code == 303
    assert held == [2.0, 2.0]


# --- the staff's path through a flood: device cookies (admin/devices.py) --------------------

OFFICE_NAT = ("198.51.100.50", 40000)  # the county office's one public address


def _flooded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common lane full, as forty guessers from forty addresses leave it."""
    monkeypatch.setattr(hashing, "claim", lambda address: False)

    async def full(address: str, password_hash: str, password: str) -> None:
        return None

    monkeypatch.setattr(hashing, "check", full)


def _device_of(client: TestClient) -> str:
    found = [c.value for c in client.cookies.jar if c.name == "yidi_device"]
    assert found, "a successful login leaves a device cookie"
    return found[0]


def _browser_with(from_address: Callable[..., TestClient], device: str) -> TestClient:
    """The same staff browser the next morning: no session any more, the device cookie kept."""
    client = from_address(OFFICE_NAT)
    client.cookies.set("yidi_device", device, domain="testserver.local", path="/login")
    return client


def test_a_browser_that_signed_in_before_gets_through_a_flood_and_others_do_not(
    from_address: Callable[..., TestClient],
    make_user: Callable[..., str],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user("clerk", CLERK)
    make_user("other", CLERK)
    first = from_address(OFFICE_NAT)
    assert attempt(first, "clerk", PASSWORD).status_code == 303
    device = _device_of(first)
    # A guesser behind the same office address fails on the clerk's account until it waits...
    guesser = from_address(OFFICE_NAT)
    statuses = [attempt(guesser, "clerk", f"guess{n}").status_code for n in range(12)]
    assert statuses[-1] == 429
    _flooded(monkeypatch)  # ...and a flood from elsewhere fills the password checks
    assert attempt(from_address(OFFICE_NAT), "clerk", PASSWORD).status_code == 429
    # The clerk's own browser still signs in; its cookie names the clerk, not another account.
    assert attempt(_browser_with(from_address, device), "clerk", PASSWORD).status_code == 303
    assert attempt(_browser_with(from_address, device), "other", PASSWORD).status_code == 429


def test_a_device_cookie_is_good_for_one_wrong_password_only(
    from_address: Callable[..., TestClient],
    make_user: Callable[..., str],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user("clerk", CLERK)
    first = from_address(OFFICE_NAT)
    assert attempt(first, "clerk", PASSWORD).status_code == 303
    browser = _browser_with(from_address, _device_of(first))
    _flooded(monkeypatch)
    wrong = attempt(browser, "clerk", "guess")
    assert wrong.status_code == 401
    assert "yidi_device" in wrong.headers["set-cookie"]  # cleared: the browser drops it
    assert not [c for c in browser.cookies.jar if c.name == "yidi_device"]
    # The cookie is gone: the next try takes the common lane, which the flood has filled.
    assert attempt(browser, "clerk", PASSWORD).status_code == 429


def test_concurrent_bad_logins_from_one_address_check_exactly_ten_passwords(
    from_address: Callable[..., TestClient],
    make_user: Callable[..., str],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counting used to follow the check: attempts that read the counter at 9 before any of
    # them wrote all got checked (11 and more). Now each is reserved before its check.
    make_user("clerk", CLERK)
    checked = [0]
    lock = threading.Lock()
    real = admin.accounts.verify_password

    def counted_verify(password_hash: str, password: str) -> bool:
        with lock:
            checked[0] += 1
        return real(password_hash, password)

    monkeypatch.setattr(admin.accounts, "verify_password", counted_verify)
    attacker = from_address(ATTACKER)
    token = csrf_of(attacker, "/login")
    statuses: list[int] = []

    def guess(n: int) -> None:
        for _ in range(200):  # until throttled for good, not just told the queue is full
            answer = attacker.post(
                "/login",
                data={"username": "clerk" if n % 2 else f"x{n}", "password": "wrong",
                      "csrf_token": token},
            )  # fmt: skip
            if answer.status_code != 429 or int(answer.headers["retry-after"]) >= 60:
                break
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 40, statuses
    assert checked[0] == 10, statuses  # the 11th and every later one is refused before its check
    assert statuses.count(401) == 10 and statuses.count(429) == 30
