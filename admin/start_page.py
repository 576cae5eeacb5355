"""/start: the first-run page of a demo installation. Per demo county, which account to sign
in with for each step of the chain (admin.demo_chain), so that a newcomer can walk one case
from the window to its close without reading 130 usernames.

Shown only while demo data is present: a county counts when its chain's accounts exist and
are active. A real installation (no demo accounts) gets a 404, and the login page no link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.accounts import USERS
from admin.demo import DEFAULT_PASSWORD
from admin.demo_chain import ChainRow, chain
from admin.web import render
from engine.errors import NotFound
from engine.registry import COUNTY_T


@dataclass(frozen=True)
class DemoCounty:
    key: str
    name: str
    rows: list[ChainRow]


def demo_counties(db: Engine) -> list[DemoCounty]:
    """The counties whose demo accounts for the chain all exist and are active."""
    from engine.versions import current_county

    with db.connect() as conn:
        codes = [r.code for r in conn.execute(select(COUNTY_T.c.code).order_by(COUNTY_T.c.id))]
    found: list[DemoCounty] = []
    for code in codes:
        try:
            model: Any = current_county(db, code)
        except NotFound:
            continue
        rows = chain(model)
        names = {r.username for r in rows if r.username}
        with db.connect() as conn:
            active = set(
                conn.execute(
                    select(USERS.c.username).where(
                        USERS.c.username.in_(names), USERS.c.active.is_(True)
                    )
                ).scalars()
            )
        if names and names <= active:
            found.append(DemoCounty(code, model.name, rows))
    return found


def demo_present(db: Engine) -> bool:
    """Cheaper than demo_counties: does any county's administrator demo account exist? One
    query (every login page asks it)."""
    admin_account = USERS.c.username == COUNTY_T.c.code.concat("admin")
    active = USERS.c.active.is_(True)
    with db.connect() as conn:
        found = conn.execute(
            select(USERS.c.id).join(COUNTY_T, admin_account).where(active).limit(1)
        ).first()
    return found is not None


async def start_page(request: Request) -> Response:
    db: Engine = request.app.state.db
    counties = demo_counties(db)
    if not counties:
        raise HTTPException(404, "本系统没有演示数据")
    context = {"title": "开始使用", "counties": counties, "default_password": DEFAULT_PASSWORD}
    return render(request, "start.html", context)
