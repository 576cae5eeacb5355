"""Which counties exist: a county exists once its definition is published or once an operator
created it explicitly (`yidi county add`). Commands that name a county refuse any other name,
with the nearest known one suggested, so that a typo never starts a new, empty county."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from sqlalchemy import Engine, insert, select

from admin.accounts import MembershipSpec
from engine.db import utcnow, writer
from engine.registry import COUNTY_T

CODE = re.compile(r"[a-z][a-z0-9_-]{1,39}")


class CountyError(Exception):
    """A Chinese message for the operator."""


def counties(db: Engine) -> dict[str, str]:
    """code -> Chinese name of every county that exists."""
    with db.connect() as conn:
        rows = conn.execute(select(COUNTY_T.c.code, COUNTY_T.c.name).order_by(COUNTY_T.c.code))
        return {row.code: row.name for row in rows}


def county_name(db: Engine, code: str) -> str:
    """The county's Chinese name (its code while it has none)."""
    with db.connect() as conn:
        name = conn.execute(select(COUNTY_T.c.name).where(COUNTY_T.c.code == code)).scalar()
    return str(name or code)


def checked_county(db: Engine, code: str) -> str:
    """`code` when that county exists; otherwise CountyError naming the nearest one."""
    known = counties(db)
    if code in known:
        return code
    close = difflib.get_close_matches(code, list(known), n=1, cutoff=0.5)
    hint = f"您是不是要写「{close[0]}」（{known[close[0]]}）？" if close else ""
    listed = "、".join(f"{c}（{n}）" for c, n in known.items()) or "（还没有）"
    raise CountyError(
        f"没有县区「{code}」。{hint}已有的县区：{listed}。"
        "新县区请先用 yidi county add 编码 --name 中文名 创建"
    )


def add_county(db: Engine, code: str, name: str) -> None:
    """Create an empty county (no definition yet): its administrator publishes one."""
    if not CODE.fullmatch(code):
        raise CountyError(
            f"县区编码「{code}」无效：须为 2–40 个小写字母、数字、下划线或连字符，以字母开头"
            "（如 qingshan）"
        )
    if not name.strip():
        raise CountyError("请用 --name 写县区的中文名（如 青山县）")
    with writer(db).begin() as conn:
        if conn.execute(select(COUNTY_T.c.id).where(COUNTY_T.c.code == code)).first():
            raise CountyError(f"县区「{code}」已存在")
        conn.execute(insert(COUNTY_T).values(code=code, name=name.strip(), created_at=utcnow()))


def membership_problems_of(db: Engine, code: str, members: Sequence[MembershipSpec]) -> list[str]:
    """Why each membership cannot exist in the county's published definition ([] when all can):
    the center, role, office and window must be defined, the office stationed at the center and
    the role one the office has."""
    if not members:
        return []
    from admin.console.people import membership_problems
    from engine.errors import NotFound
    from engine.versions import current_county

    try:
        model = current_county(db, code)
    except NotFound:
        model = None
    found = []
    for m in members:
        text = ":".join(p or "" for p in (m.center, m.role, m.office, m.window)).rstrip(":")
        found += [f"岗位「{text}」：{p}" for p in membership_problems(model, m)]
    return found
