"""Staff accounts of one county as the administrator manages them; every change audited.

Each function is one transaction that also writes its admin_audit row, so there is never an
unaudited change nor an audit row for a change that did not happen. Memberships are checked
against the county's published definition: a user can only be placed where staff can work.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from admin.accounts import (
    MEMBERS,
    USERS,
    MembershipSpec,
    hash_password,
    insert_memberships,
    insert_user,
)
from admin.console.store import record
from admin.throttle import clear_account
from engine.db import writer

USERNAME = re.compile(r"^[\w.\-]{2,40}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A refused account change; the message is shown to the administrator as is."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    active: bool
    is_admin: bool
    memberships: tuple[MembershipSpec, ...]

    def snapshot(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "active": self.active,
            "memberships": [describe(m) for m in self.memberships],
        }


def describe(m: MembershipSpec) -> str:
    parts = [m.center, m.office or "", m.window or "", m.role]
    return " / ".join(p for p in parts if p)


def generate_password() -> str:
    """A temporary password shown once: readable, no look-alike characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def membership_problems(county: Any, m: MembershipSpec) -> list[str]:
    """Why `m` cannot exist in the compiled county (dsl.model.County); [] when it can."""
    from dsl.routing import office_stationed_at

    if county is None:
        return ["本县尚未发布定义，无法分配中心和角色；请先发布"]
    problems = []
    if m.center not in county.centers:
        problems.append(f"中心“{m.center}”不存在")
    if m.role not in county.roles:
        problems.append(f"角色“{m.role}”不存在")
    if m.office:
        if m.office not in county.offices:
            problems.append(f"单位“{m.office}”不存在")
        elif m.center in county.centers and not office_stationed_at(county, m.office, m.center):
            problems.append(f"单位“{m.office}”未入驻“{m.center}”")
        if m.office in county.offices and m.role in county.roles:
            roles = county.offices[m.office].roles
            if m.role not in roles:
                problems.append(
                    f"单位“{m.office}”没有角色“{m.role}”（它的角色：{'、'.join(roles)}）"
                )
    if m.window and m.window not in county.windows:
        problems.append(f"窗口“{m.window}”不存在")
    return problems


def _check_new(username: str, display_name: str, password: str) -> None:
    if not USERNAME.fullmatch(username):
        raise AccountError("用户名须为 2–40 个字母、数字、下划线、点或连字符")
    if not display_name.strip():
        raise AccountError("请填写姓名")
    _check_password(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")


def _load(conn: Connection, county: str, user_id: int) -> Account | None:
    row = conn.execute(select(USERS).where(USERS.c.id == user_id, USERS.c.county == county)).first()
    if row is None:
        return None
    members = conn.execute(
        select(MEMBERS).where(MEMBERS.c.user_id == user_id).order_by(MEMBERS.c.id)
    ).all()
    specs = tuple(MembershipSpec(m.center, m.role, m.office, m.window) for m in members)
    return Account(row.id, row.username, row.display_name, row.active, row.is_admin, specs)


def account(db: Engine, county: str, user_id: int) -> Account | None:
    """The account when it belongs to `county`; None otherwise (never another county's)."""
    with db.connect() as conn:
        return _load(conn, county, user_id)


def accounts(db: Engine, county: str) -> list[Account]:
    with db.connect() as conn:
        ids = conn.execute(
            select(USERS.c.id).where(USERS.c.county == county).order_by(USERS.c.username)
        ).scalars()
        found = [_load(conn, county, i) for i in list(ids)]
    return [a for a in found if a is not None]


def create(
    db: Engine,
    county: str,
    actor: str,
    *,
    username: str,
    display_name: str,
    password: str,
    memberships: Sequence[MembershipSpec],
) -> int:
    _check_new(username, display_name, password)
    hashed = hash_password(password)  # before the write lock: Argon2 is slow on purpose
    with writer(db).begin() as conn:
        return insert_account(
            conn, county, actor, username, display_name, password, memberships, hashed
        )


def insert_account(
    conn: Connection,
    county: str,
    actor: str,
    username: str,
    display_name: str,
    password: str,
    memberships: Sequence[MembershipSpec],
    password_hash: str | None = None,
) -> int:
    """Inside the caller's transaction (the staff import creates many in one); pass the
    password's hash made beforehand, outside the transaction, when there is one."""
    taken = conn.execute(select(func.count()).where(USERS.c.username == username)).scalar()
    if taken:
        raise AccountError(f"用户名“{username}”已被使用")
    user_id = insert_user(
        conn,
        username,
        password,
        display_name=display_name.strip(),
        county=county,
        memberships=memberships,
        password_hash=password_hash,
    )
    created = _load(conn, county, user_id)
    assert created is not None
    record(conn, county, actor, "创建账号", username, None, created.snapshot())
    return user_id


def _change(
    db: Engine, county: str, actor: str, user_id: int, action: str, values: dict[str, Any]
) -> Account:
    """Update one account of this county, audited; AccountError when it is not ours."""
    with writer(db).begin() as conn:
        before = _load(conn, county, user_id)
        if before is None:
            raise AccountError("账号不存在")
        if values:
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
        after = _load(conn, county, user_id)
        assert after is not None
        record(conn, county, actor, action, before.username, before.snapshot(), after.snapshot())
        return after


def set_memberships(
    db: Engine, county: str, actor: str, user_id: int, memberships: Sequence[MembershipSpec]
) -> None:
    with writer(db).begin() as conn:
        before = _load(conn, county, user_id)
        if before is None:
            raise AccountError("账号不存在")
        conn.execute(delete(MEMBERS).where(MEMBERS.c.user_id == user_id))
        insert_memberships(conn, county, user_id, memberships)
        # The scope of live sessions changes with the memberships: make them sign in again.
        conn.execute(
            update(USERS)
            .where(USERS.c.id == user_id)
            .values(session_epoch=USERS.c.session_epoch + 1)
        )
        after = _load(conn, county, user_id)
        assert after is not None
        record(
            conn, county, actor, "调整岗位", before.username, before.snapshot(), after.snapshot()
        )


def reset_password(db: Engine, county: str, actor: str, user_id: int, password: str) -> None:
    """New password, the account's login slowing-down lifted at every address, every open
    session of that user ended."""
    _check_password(password)
    values = {
        "password_hash": hash_password(password),
        "failed_logins": 0,
        "locked_until": None,
        "session_epoch": USERS.c.session_epoch + 1,
    }
    after = _change(db, county, actor, user_id, "重置密码", values)
    with writer(db).begin() as conn:  # the user may try the new password at once
        clear_account(conn, after.username)


def set_active(db: Engine, county: str, actor: str, user_id: int, active: bool) -> None:
    values: dict[str, Any] = {"active": active}
    if not active:
        values["session_epoch"] = USERS.c.session_epoch + 1
    _change(db, county, actor, user_id, "启用账号" if active else "停用账号", values)
