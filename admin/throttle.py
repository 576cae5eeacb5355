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

The counters live in the database, so every web worker and a restart see the same ones, and
are written only after a failure, in a short transaction of their own (never around a hash).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Index, Integer, String, Table, case, delete, select
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


def has_account_counter(conn: Connection, scope: Scope) -> bool:
    found = conn.execute(select(THROTTLE.c.key).where(THROTTLE.c.key == scope.account_key))
    return found.first() is not None


def _upsert(conn: Connection, key: str, account: str | None, now: datetime) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement: Any = dialect.insert(THROTTLE).values(
        key=key, account=account, failures=1, last_failure_at=now
    )
    # Concurrent failures of one key add up (no lost update, no duplicate-key error); a
    # counter whose last failure is older than FORGET starts again at one.
    forgotten = THROTTLE.c.last_failure_at <= now - FORGET
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[THROTTLE.c.key],
            set_={
                "failures": case((forgotten, 1), else_=THROTTLE.c.failures + 1),
                "last_failure_at": now,
            },
        )
    )


def record_failure(db: Engine, scope: Scope, now: datetime) -> None:
    """Count a failed login against the address and the account at it (one short write)."""
    with writer(db).begin() as conn:
        _upsert(conn, scope.address_key, None, now)
        _upsert(conn, scope.account_key, scope.account, now)
        # Forgotten counters go, so an attacker's made-up usernames do not pile up.
        conn.execute(delete(THROTTLE).where(THROTTLE.c.last_failure_at <= now - FORGET))


def clear_account_at_address(db: Engine, scope: Scope) -> None:
    with writer(db).begin() as conn:
        conn.execute(delete(THROTTLE).where(THROTTLE.c.key == scope.account_key))


def clear_account(conn: Connection, username: str) -> None:
    """A new password (set by an administrator): the account's counters at every address go."""
    conn.execute(delete(THROTTLE).where(THROTTLE.c.account == _digest("account", username)))
