"""Demo accounts for the seed counties, created by `yidi serve` on first run.

For each county: at the county-level center and its first town, one account per role of the
universal window's office (window staff get the window), and one handler per office stationed
there. All share one printed default password, to be changed before real use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Engine, func, select

from admin.accounts import USERS, MembershipSpec, hash_password, insert_user
from engine.db import writer

DEFAULT_PASSWORD = "yidi-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    membership: MembershipSpec | None  # None: the county administrator (console, whole county)


def demo_password() -> str:
    return os.environ.get("YIDI_DEMO_PASSWORD", DEFAULT_PASSWORD)


def county_center(model: Any) -> Any:
    """The county-level center: the top one, or below a city center that has only this child."""
    node = next(c for c in model.centers.values() if c.parent is None)
    while True:
        children = [c for c in model.centers.values() if c.parent == node.key]
        if len(children) != 1:
            return node
        node = children[0]


def _stationed(model: Any, center: Any) -> list[Any]:
    return [
        office
        for office in model.offices.values()
        if center.key in office.centers or center.level in office.levels
    ]


def plan(model: Any) -> list[DemoAccount]:
    """The accounts one county gets (pure: no database)."""
    county = county_center(model)
    towns = [c for c in model.centers.values() if c.parent == county.key]
    window = next((w for w in model.windows.values() if w.universal), None)
    front = model.offices.get(window.offices[0]) if window and window.offices else None
    accounts: list[DemoAccount] = []
    for center in [county, *towns[:1]]:
        for role in front.roles if front else ():
            at_window = window.key if window and ("窗口" in role or "受理" in role) else None
            spec = MembershipSpec(center.key, role, None, at_window)
            accounts.append(_account(model, center, role, spec, len(accounts)))
        for office in _stationed(model, center):
            if front is not None and office.key == front.key:
                continue
            spec = MembershipSpec(center.key, office.roles[0], office.key)
            accounts.append(
                _account(model, center, f"{office.name}{office.roles[0]}", spec, len(accounts))
            )
    # The front office can be routed cases too (a fallback or a route naming it): its ticket is
    # the office's, which only a membership of that office may work. Added last, so that the
    # usernames above keep their numbers.
    if front is not None:
        accounts += _front_office_handlers(model, front, [county, *towns[:1]], len(accounts))
    return accounts


def _front_office_handlers(model: Any, front: Any, centers: list[Any], n: int) -> list[DemoAccount]:
    found: list[DemoAccount] = []
    for center in centers:
        if center.key not in front.centers and center.level not in front.levels:
            continue
        for role in [r for r in front.roles if r in _routed_roles(model)]:
            spec = MembershipSpec(center.key, role, front.key)
            label = f"{front.name}{model.roles[role].name if role in model.roles else role}"
            found.append(_account(model, center, label, spec, n + len(found)))
    return found


def _routed_roles(model: Any) -> set[str]:
    """Roles that work steps at the office routing chose."""
    return {
        step.actor.role
        for process in model.processes.values()
        for step in process.steps.values()
        if step.actor is not None and step.actor.where == "routed_office"
    }


def _account(model: Any, center: Any, label: str, spec: MembershipSpec, n: int) -> DemoAccount:
    return DemoAccount(f"{model.key}{n + 1:02d}", f"{label}（{center.name}）", spec)


def create_demo_accounts(db: Engine, models: list[Any]) -> list[DemoAccount]:
    """Create the demo accounts, only on a database that has no account yet.

    They all share the one printed demo password, so they share one hash of it: Argon2 takes
    a fifth of a second on purpose, and hashing it again for each of some 130 accounts made
    the first start take half a minute. The hash is made before the one write transaction."""
    with db.connect() as conn:
        if conn.execute(select(func.count()).select_from(USERS)).scalar_one():
            return []
    password = demo_password()
    hashed = demo_hash(password)
    created: list[DemoAccount] = []
    with writer(db).begin() as conn:
        for model in models:
            # One administrator per county, so that the console (/console) can be tried at once.
            # 县级管理员: the county's console; not the 系统管理员 of the national holiday table.
            admin = DemoAccount(f"{model.key}admin", f"县级管理员（{model.name}）", None)
            for account in [*plan(model), admin]:
                insert_user(
                    conn,
                    account.username,
                    password,
                    display_name=account.display_name,
                    county=model.key,
                    memberships=[account.membership] if account.membership else [],
                    is_admin=account.membership is None,
                    password_hash=hashed,
                )
                created.append(account)
    return created


@cache
def demo_hash(password: str) -> str:
    """One hash of the demo password per process (the test suite makes demo accounts often)."""
    return hash_password(password)
