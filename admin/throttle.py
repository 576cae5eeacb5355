"""Login throttling: failure counters per address and per (account, address), with backoff.

The rules (docs/workbench.md, Security, states them for users):

- An **address** that has failed 10 logins (any usernames, known or not) waits 1 minute before
  its next attempt is even checked, then 2, 4, 8 minutes after each further failure, at most
  15 minutes: a spray of 11 accounts from one address stops at the 11th.
- An **account at an address** that has failed 5 times waits 1 minute, then 2, 4, ... at most
  15 minutes, from that address only. Nobody can lock a staff member out: the attacker's
  failures slow the attacker's address, and the real user, from an address that has not
  failed, signs in at once (the CAPTCHA-free path that keeps working under attack).
- A counter is forgotten an hour after its last failure; a success clears the (account,
  address) counter, never the address's (one valid account must not buy more guesses).
- Keys are SHA-256 digests of what was typed: an unknown username is counted exactly like a
  known one, so the answers (and their timing) never tell which usernames exist, and no
  attacker-chosen text is stored.

The counters live in the database, so every web worker and a restart see the same ones. An
attempt is **reserved** before its password is checked: one short write transaction locks both
counters, decides the waits and, when there is none, counts the attempt as a failure (`reserve`).
So concurrent logins from one address are counted one after another and exactly 10 passwords
are checked, never an 11th slipping between another's read and write. A success gives the
reservation back (`settle`: the address's failure is undone, the account's counter cleared).
A login takes its place in the hashing queue before it reserves (admin/login.py), so a
reserved attempt is checked. No transaction is held around a hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    case,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, writer

FORGET = timedelta(hours=1)


@dataclass(frozen=True)
class Backoff:
    """`free` failures cost nothing; from then on each attempt waits first_wait * 2^(n - free)
    after the last failure (n failures so far), never more than `longest`."""

    free: int
    first_wait: timedelta
    longest: timedelta

    def wait(self, failures: int, last_failure: datetime, now: datetime) -> timedelta:
        if failures < self.free or now - last_failure >= FORGET:
            return timedelta(0)
        delay = min(self.first_wait * 2 ** min(failures - self.free, 20), self.longest)
        left: timedelta = last_failure + delay - now
        return max(timedelta(0), left)


PER_ADDRESS = Backoff(free=10, first_wait=timedelta(minutes=1), longest=timedelta(minutes=15))
PER_ACCOUNT_AT_ADDRESS = Backoff(
    free=5, first_wait=timedelta(minutes=1), longest=timedelta(minutes=15)
)


class LoginThrottle(Base):
    """One failure counter: of an address, or of an account at an address."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_last", "last_failure_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the scope
    # sha256 of the username for (account, address) counters: a password reset clears them.
    account: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())


THROTTLE = cast(Table, LoginThrottle.__table__)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Scope:
    """The two counters one login attempt reads and, when it fails, bumps."""

    address: str
    username: str

    @property
    def address_key(self) -> str:
        return _digest("address", self.address)

    @property
    def account(self) -> str:
        return _digest("account", self.username)

    @property
    def account_key(self) -> str:
        return _digest("account@address", self.username, self.address)


@dataclass(frozen=True)
class Waits:
    """How long the address, and the account from it, must still wait (0: may try)."""

    address: timedelta
    account: timedelta

    @property
    def longest(self) -> timedelta:
        return max(self.address, self.account)


def wait_before(conn: Connection, scope: Scope, now: datetime) -> Waits:
    rows = conn.execute(
        select(THROTTLE.c.key, THROTTLE.c.failures, THROTTLE.c.last_failure_at).where(
            THROTTLE.c.key.in_([scope.address_key, scope.account_key])
        )
    ).all()
    address = account = timedelta(0)
    for row in rows:
        if row.key == scope.address_key:
            address = PER_ADDRESS.wait(row.failures, row.last_failure_at, now)
        else:
            account = PER_ACCOUNT_AT_ADDRESS.wait(row.failures, row.last_failure_at, now)
    return Waits(address, account)


@dataclass(frozen=True)
class Reservation:
    """What `reserve` decided: the waits (any > 0: nothing was counted) and, when counted, the
    counters' previous last failures, so giving a success back restores them."""

    waits: Waits
    counted: bool
    previous: datetime | None = None  # the address's last failure before this attempt


def _lock(conn: Connection, key: str, account: str | None, now: datetime) -> datetime | None:
    """Make sure the counter row exists and hold its lock to the end of the transaction (on
    SQLite the transaction holds the write lock already); its last failure before, if any."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement: Any = dialect.insert(THROTTLE).values(
        key=key, account=account, failures=0, last_failure_at=now
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[THROTTLE.c.key], set_={"failures": THROTTLE.c.failures}
        )
    )
    row = conn.execute(
        select(THROTTLE.c.failures, THROTTLE.c.last_failure_at).where(THROTTLE.c.key == key)
    ).one()
    return row.last_failure_at if row.failures else None


def _bump(conn: Connection, key: str, now: datetime) -> None:
    forgotten = THROTTLE.c.last_failure_at <= now - FORGET
    conn.execute(
        update(THROTTLE)
        .where(THROTTLE.c.key == key)
        .values(failures=case((forgotten, 1), else_=THROTTLE.c.failures + 1), last_failure_at=now)
    )


def reserve(db: Engine, scope: Scope, now: datetime) -> Reservation:
    """Decide the waits and, when there is none, count this attempt as a failure, atomically."""
    with writer(db).begin() as conn:
        # Forgotten counters go, so an attacker's made-up usernames do not pile up.
        conn.execute(delete(THROTTLE).where(THROTTLE.c.last_failure_at <= now - FORGET))
        before_address = _lock(conn, scope.address_key, None, now)
        _lock(conn, scope.account_key, scope.account, now)
        waits = wait_before(conn, scope, now)
        if waits.longest:
            return Reservation(waits, False)
        _bump(conn, scope.address_key, now)
        _bump(conn, scope.account_key, now)
    return Reservation(waits, True, before_address)


def _give_back(conn: Connection, key: str, previous: datetime | None, now: datetime) -> None:
    # Another failure since (last_failure_at moved on) keeps its own time.
    conn.execute(
        update(THROTTLE)
        .where(THROTTLE.c.key == key, THROTTLE.c.failures > 0)
        .values(
            failures=THROTTLE.c.failures - 1,
            last_failure_at=case(
                (THROTTLE.c.last_failure_at == now, previous or now),
                else_=THROTTLE.c.last_failure_at,
            ),
        )
    )


def settle(db: Engine, scope: Scope, reservation: Reservation, now: datetime) -> None:
    """Give back a reserved attempt that succeeded: the account's counter at this address is
    cleared and the address's failure undone, never more (a valid account buys no guesses)."""
    if not reservation.counted:
        return
    with writer(db).begin() as conn:
        _give_back(conn, scope.address_key, reservation.previous, now)
        conn.execute(delete(THROTTLE).where(THROTTLE.c.key == scope.account_key))


def record_failure(db: Engine, scope: Scope, now: datetime) -> None:
    """Count a failed trusted login (not reserved) against the address and the account."""
    with writer(db).begin() as conn:
        _lock(conn, scope.address_key, None, now)
        _lock(conn, scope.account_key, scope.account, now)
        _bump(conn, scope.address_key, now)
        _bump(conn, scope.account_key, now)


def clear_account_at_address(db: Engine, scope: Scope) -> None:
    with writer(db).begin() as conn:
        conn.execute(delete(THROTTLE).where(THROTTLE.c.key == scope.account_key))


def clear_account(conn: Connection, username: str) -> None:
    """A new password (set by an administrator): the account's counters at every address go."""
    conn.execute(delete(THROTTLE).where(THROTTLE.c.account == _digest("account", username)))
