"""Staff accounts, their memberships (scope), API keys and idempotency records.

Passwords are Argon2id hashes; API keys are stored as SHA-256 digests (they are long random
tokens, so a slow hash adds nothing). Failed logins are throttled per address and per
(account, address) with backoff (admin.throttle); no one can lock another person out.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Connection,
    Engine,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from admin import key_scopes
from admin.throttle import (
    Reservation,
    Scope,
    Waits,
    clear_account_at_address,
    record_failure,
    reserve,
    settle,
    wait_before,
)
from engine.db import Base, UTCDateTime, utcnow, writer
from engine.registry import JSONType

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id (RFC 9106 low-memory profile)


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that timing does not reveal
    usernames. Made on first use: hashing at import cost every command and worker start
    about 0.1 s and 64 MB."""
    return _hasher.hash("yidi-dummy-password")


class UserAccount(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    county: Mapped[str] = mapped_column(String(40))  # County.code
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on logout and password change: every cookie signed with an older epoch is dead.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountMembership(Base):
    """One place a user works: a center, optionally an office or a window, with a role."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    county: Mapped[str] = mapped_column(String(40))
    center: Mapped[str] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    window: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in listings to tell keys apart
    system: Mapped[str] = mapped_column(String(100))  # calling system, e.g. "12345热线"
    county: Mapped[str] = mapped_column(String(40))
    center: Mapped[str | None] = mapped_column(String(100))  # default receiving center
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    key: Mapped[str] = mapped_column(String(200))
    body_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


USERS = cast(Table, UserAccount.__table__)
MEMBERS = cast(Table, AccountMembership.__table__)
KEYS = cast(Table, ApiKey.__table__)
IDEMPOTENCY = cast(Table, IdempotencyRecord.__table__)


# --- people ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipSpec:
    center: str
    role: str
    office: str | None = None
    window: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    db: Engine,
    username: str,
    password: str,
    *,
    display_name: str,
    county: str,
    memberships: list[MembershipSpec],
    is_admin: bool = False,
    password_hash: str | None = None,
) -> int:
    """Create an account with its memberships in one transaction; returns its id.

    The password is hashed before the transaction begins: Argon2 takes a fifth of a second
    on purpose, and on SQLite the write lock would be held all that time."""
    hashed = password_hash or hash_password(password)
    with writer(db).begin() as conn:
        return insert_user(
            conn,
            username,
            password,
            display_name=display_name,
            county=county,
            memberships=memberships,
            is_admin=is_admin,
            password_hash=hashed,
        )


def insert_user(
    conn: Connection,
    username: str,
    password: str,
    *,
    display_name: str,
    county: str,
    memberships: Sequence[MembershipSpec],
    is_admin: bool = False,
    password_hash: str | None = None,
) -> int:
    """Insert an account and its memberships inside the caller's transaction (`password_hash`:
    hashed beforehand, by the caller, outside it)."""
    user_id: int = conn.execute(
        USERS.insert()
        .values(
            username=username,
            display_name=display_name,
            county=county,
            password_hash=password_hash or hash_password(password),
            active=True,
            is_admin=is_admin,
            failed_logins=0,
            session_epoch=0,
            created_at=utcnow(),
        )
        .returning(USERS.c.id)
    ).scalar_one()
    insert_memberships(conn, county, user_id, memberships)
    return user_id


def insert_memberships(
    conn: Connection, county: str, user_id: int, memberships: Sequence[MembershipSpec]
) -> None:
    for spec in memberships:
        conn.execute(
            MEMBERS.insert().values(
                user_id=user_id,
                county=county,
                center=spec.center,
                office=spec.office,
                window=spec.window,
                role=spec.role,
            )
        )


def user_exists(db: Engine, username: str) -> bool:
    with db.connect() as conn:
        found = conn.execute(select(UserAccount.id).where(UserAccount.username == username))
        return found.first() is not None


@dataclass(frozen=True)
class LoginAttempt:
    """What a login reads before checking the password: nothing of it is held open."""

    scope: Scope
    user_id: int | None  # None: no such active account (checked against a dummy hash)
    password_hash: str
    epoch: int
    waits: Waits  # this address, and this account from it: > 0 must wait, nothing checked
    reservation: Reservation  # counted as a failure before the check (admin.throttle)


@dataclass(frozen=True)
class LoginResult:
    user_id: int | None
    epoch: int = 0
    error: str = ""
    wait: timedelta = timedelta(0)


FAILED = "用户名或密码错误"
# Longest username an account can have (the column's size): longer text, or text PostgreSQL
# cannot store (NUL), names no account and is not sent to the database.
USERNAME_SIZE = 100


def begin_login(
    db: Engine, username: str, address: str, now: datetime, trusted: bool = False
) -> LoginAttempt:
    """Reserve the attempt (one short write: counted as a failure unless it must wait), then
    read the account; nothing is held open: the slow password check comes next, outside the
    database (admin.login). A `trusted` login (a device cookie for this account,
    admin/devices.py) reserves nothing and reads the account even while the counters say
    wait: its own lane, counted after its check as before (finish_login)."""
    dummy = _dummy_hash()  # made by the first login of any kind, known username or not
    scope = Scope(address=address, username=username)
    searchable = len(username) <= USERNAME_SIZE and "\x00" not in username
    if trusted:
        with db.connect() as conn:
            reservation = Reservation(wait_before(conn, scope, now), False)
    else:
        reservation = reserve(db, scope, now)
    waits = reservation.waits
    row = None
    if searchable and (trusted or not waits.longest):
        with db.connect() as conn:
            row = conn.execute(
                select(USERS.c.id, USERS.c.password_hash, USERS.c.session_epoch).where(
                    USERS.c.username == username, USERS.c.active.is_(True)
                )
            ).first()
    if row is None:  # unknown and inactive users cost the same verify as known ones
        return LoginAttempt(scope, None, dummy, 0, waits, reservation)
    return LoginAttempt(scope, row.id, row.password_hash, row.session_epoch, waits, reservation)


def verify_password(password_hash: str, password: str) -> bool:
    """Argon2 verify: a fifth of a second of CPU on purpose (it releases the GIL)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def finish_login(db: Engine, attempt: LoginAttempt, verified: bool, now: datetime) -> LoginResult:
    """After the check: a failure was counted already (reserved); a success gives it back
    and clears the account's counter at this address.

    The account row is not written: a guesser can neither lock it nor, by bumping the
    accounts change stamp, empty every worker's memory of users."""
    if verified and attempt.user_id is not None:
        if attempt.reservation.counted:
            settle(db, attempt.scope, attempt.reservation, now)
        else:  # a trusted login: nothing reserved, its account's counter here goes
            clear_account_at_address(db, attempt.scope)
        return LoginResult(attempt.user_id, epoch=attempt.epoch)
    if not attempt.reservation.counted:  # a trusted login's failure is counted as any other
        record_failure(db, attempt.scope, now)
    return LoginResult(None, error=FAILED)


def throttled(wait: timedelta) -> LoginResult:
    """The same answer whoever the username names, known or not."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return LoginResult(None, error=f"尝试次数过多，请 {minutes} 分钟后再试", wait=wait)


def end_sessions(db: Engine, user_id: int) -> None:
    """Logout: every cookie issued to this user so far stops working."""
    table = USERS
    with writer(db).begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == user_id)
            .values(session_epoch=table.c.session_epoch + 1)
        )


# --- API keys --------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    id: int
    system: str
    county: str
    center: str | None
    uses: frozenset[str] | None = None  # admin/key_scopes.py; None: issued before uses existed


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_key(
    db: Engine,
    system: str,
    county: str,
    center: str | None = None,
    uses: tuple[str, ...] = key_scopes.DEFAULT,
) -> str:
    """Issue a key for `uses` (admin/key_scopes.py); the plain token is shown once and only its
    digest is kept."""
    token = "yd_" + secrets.token_urlsafe(32)
    with writer(db).begin() as conn:
        inserted = conn.execute(
            KEYS.insert().values(
                key_hash=_digest(token),
                prefix=token[:10],
                system=system,
                county=county,
                center=center,
                active=True,
                created_at=utcnow(),
            )
        ).inserted_primary_key
        assert inserted is not None
        scope = {"api_key_id": inserted[0], "scopes": key_scopes.stored(uses)}
        conn.execute(key_scopes.SCOPES.insert().values(**scope))
    return token


def caller_for_token(db: Engine, token: str) -> Caller | None:
    table, scopes = KEYS, key_scopes.SCOPES
    with db.connect() as conn:
        row = conn.execute(
            select(table, scopes.c.scopes)
            .outerjoin(scopes, scopes.c.api_key_id == table.c.id)
            .where(table.c.key_hash == _digest(token), table.c.active.is_(True))
        ).first()
    if row is None:
        return None
    uses = key_scopes.loaded(row.scopes)
    return Caller(row.id, row.system, row.county, row.center, uses)
