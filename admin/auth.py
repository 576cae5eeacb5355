"""Who is asking: the signed-in staff member, from the session cookie.

The session holds the user id and the epoch it was issued under; a logout or a deactivation
makes the stored epoch or flag disagree and the cookie stops working at once.

Loading the account and its memberships on every request was a fifth of a page's cost, so
each app keeps the users it has seen in memory, valid while the database's 'accounts' change
stamp (engine migration 0009: bumped by triggers on every account or membership change, from
any process) is unchanged. A request then reads one tiny row instead of the account: a
deactivation, a logout elsewhere or new memberships still take effect on the next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, String, Table, select
from starlette.requests import Request

from admin.accounts import AccountMembership, UserAccount

# Created by migration 0009; its own MetaData so that no create_all() ever makes it.
CHANGE_STAMP = Table(
    "change_stamp",
    MetaData(),
    Column("topic", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
# A constant statement on the driver's own cursor: through a SQLAlchemy Connection the
# execution machinery costs seven times the query (70 us against 10 us on SQLite).
STAMP_SQL = "SELECT value FROM change_stamp WHERE topic = 'accounts'"
CACHE_SIZE = 4096  # users per worker; a county has a few hundred staff


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""


@dataclass(frozen=True)
class StaffMembership:
    center: str
    role: str
    office: str | None = None
    window: str | None = None


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    county: str
    is_admin: bool
    memberships: tuple[StaffMembership, ...]

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def windows(self) -> list[StaffMembership]:
        return [m for m in self.memberships if m.window]

    def principal(self) -> Any:
        """The engine's view of this user (engine.scope.Principal)."""
        from engine.scope import Membership, Principal

        return Principal(
            username=self.username,
            display_name=self.display_name,
            county=self.county,
            memberships=tuple(
                Membership(center=m.center, role=m.role, office=m.office, window=m.window)
                for m in self.memberships
            ),
            is_admin=self.is_admin,
        )


@dataclass(frozen=True, slots=True)
class _Seen:
    stamp: int
    epoch: int  # the account's session epoch when it was loaded
    user: StaffUser | None  # None: the account is inactive


def _account(conn: Connection, user_id: int) -> tuple[int, StaffUser | None] | None:
    """(session epoch, user or None when inactive); None when there is no such account."""
    users, members = UserAccount.__table__, AccountMembership.__table__
    query = (
        select(users, members.c.center, members.c.role, members.c.office, members.c.window)
        .outerjoin(members, members.c.user_id == users.c.id)
        .where(users.c.id == user_id)
        .order_by(members.c.id)
    )
    rows = conn.execute(query).all()
    if not rows:
        return None
    first = rows[0]
    if not first.active:
        return first.session_epoch, None
    user = StaffUser(
        id=first.id,
        username=first.username,
        display_name=first.display_name,
        county=first.county,
        is_admin=first.is_admin,
        memberships=tuple(
            StaffMembership(r.center, r.role, r.office, r.window) for r in rows if r.center
        ),
    )
    return first.session_epoch, user


def load_user(db: Engine, user_id: int, epoch: int) -> StaffUser | None:
    """The account and its memberships in one query, straight from the database."""
    with db.connect() as conn:
        found = _account(conn, user_id)
    if found is None or found[0] != epoch:
        return None
    return found[1]


def accounts_stamp(db: Engine) -> int | None:
    """The 'accounts' change stamp, or None when its row is missing."""
    raw = db.raw_connection()
    # On PostgreSQL the one read runs in autocommit: no BEGIN before it and no ROLLBACK when
    # the connection goes back to the pool (two round trips of the three)
    driver_connection: Any = raw.driver_connection
    autocommit = db.dialect.name == "postgresql" and not driver_connection.autocommit
    try:
        if autocommit:
            driver_connection.autocommit = True
        try:
            cursor = raw.cursor()
            cursor.execute(STAMP_SQL)
            row = cursor.fetchone()
            cursor.close()
        finally:
            if autocommit:
                try:
                    driver_connection.autocommit = False
                except Exception:  # a broken connection: never pool one left in autocommit
                    raw.invalidate()
    finally:
        raw.close()  # back to the pool, which rolls back what the driver may have begun
    return None if row is None else int(row[0])


class UserCache:
    """Users by id, each valid while the 'accounts' change stamp is what it was at loading."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._seen: dict[int, _Seen] = {}
        self._lock = threading.Lock()

    def user(self, db: Engine, user_id: int, epoch: int) -> StaffUser | None:
        # The stamp is read before the account: a change committed in between bumps it past
        # what we store, so the next request loads again (never a stale hit).
        stamp = accounts_stamp(db)
        seen = self._seen.get(user_id)
        if seen is None or stamp is None or seen.stamp != stamp:
            with db.connect() as conn:
                found = _account(conn, user_id)
            if found is None:
                return None
            seen = _Seen(stamp if stamp is not None else -1, found[0], found[1])
            if stamp is not None:  # no stamp row (every table emptied): never trust memory
                self._remember(user_id, seen)
        return seen.user if seen.epoch == epoch else None

    def _remember(self, user_id: int, seen: _Seen) -> None:
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()  # rare (more staff than slots): start again, stay bounded
            self._seen[user_id] = seen


def user_cache(request: Request) -> UserCache:
    state = request.app.state
    cache: UserCache | None = getattr(state, "user_cache", None)
    if cache is None:
        cache = state.user_cache = UserCache()
    return cache


def current_user(request: Request) -> StaffUser | None:
    if hasattr(request.state, "user"):
        cached: StaffUser | None = request.state.user
        return cached
    session = request.session
    user = None
    if isinstance(session.get("uid"), int):
        user = user_cache(request).user(
            request.app.state.db, session["uid"], int(session.get("epoch", 0))
        )
    request.state.user = user
    if user is not None:
        request.scope.setdefault("state", {})["username"] = user.username
    return user


def require_user(request: Request) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user
