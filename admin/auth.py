"""Who is asking: the signed-in staff member, loaded per request from the session cookie.

The session holds the user id and the epoch it was issued under; a logout or a deactivation
makes the stored epoch or flag disagree and the cookie stops working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from starlette.requests import Request

from admin.accounts import AccountMembership, UserAccount


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


def load_user(db: Engine, user_id: int, epoch: int) -> StaffUser | None:
    """The account and its memberships in one query (it runs on every request)."""
    users, members = UserAccount.__table__, AccountMembership.__table__
    query = (
        select(users, members.c.center, members.c.role, members.c.office, members.c.window)
        .outerjoin(members, members.c.user_id == users.c.id)
        .where(users.c.id == user_id)
        .order_by(members.c.id)
    )
    with db.connect() as conn:
        rows = conn.execute(query).all()
    if not rows or not rows[0].active or rows[0].session_epoch != epoch:
        return None
    first = rows[0]
    return StaffUser(
        id=first.id,
        username=first.username,
        display_name=first.display_name,
        county=first.county,
        is_admin=first.is_admin,
        memberships=tuple(
            StaffMembership(r.center, r.role, r.office, r.window) for r in rows if r.center
        ),
    )


def current_user(request: Request) -> StaffUser | None:
    if hasattr(request.state, "user"):
        cached: StaffUser | None = request.state.user
        return cached
    session = request.session
    user = None
    if isinstance(session.get("uid"), int):
        user = load_user(request.app.state.db, session["uid"], int(session.get("epoch", 0)))
    request.state.user = user
    if user is not None:
        request.scope.setdefault("state", {})["username"] = user.username
    return user


def require_user(request: Request) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user
