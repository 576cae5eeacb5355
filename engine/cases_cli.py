"""`yidi cases migrate`: print the dry-run plan of a version migration, and apply it."""

from __future__ import annotations

import sys

from sqlalchemy import Engine, select

from engine import schema, versions
from engine.db import make_engine
from engine.errors import EngineError
from engine.migration import MigrationPlan
from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION
from engine.settings import load_settings


def version_id(db: Engine, county: str, number: int | None) -> int:
    query = (
        select(VERSION.c.id)
        .join(COUNTY, COUNTY.c.id == VERSION.c.county_id)
        .where(COUNTY.c.code == county)
    )
    query = (
        query.where(VERSION.c.number == number)
        if number
        else query.where(VERSION.c.is_current.is_(True))
    )
    with db.connect() as conn:
        found = conn.execute(query).scalar()
    if found is None:
        wanted = f"第 {number} 版" if number else "当前版本"
        raise EngineError(f"县区「{county}」没有{wanted}")
    return int(found)


def report(plan: MigrationPlan) -> str:
    counts = f"{len(plan.movable)} 件可迁移，{len(plan.refused)} 件拒绝"
    lines = [f"县区 {plan.county} → 第 {plan.to_number} 版：{counts}"]
    for case in plan.cases:
        mark = "可迁移" if case.mappable else "拒绝"
        steps = "，".join(
            f"{s.step}→{s.target or '？'}" + (f"（{s.problem}）" if s.problem else "")
            for s in case.steps
        )
        detail = "；".join(p for p in (case.problem, steps) if p) or "无待办单"
        lines.append(f"  {case.code} [{mark}] {detail}")
    return "\n".join(lines)


def migrate_command(
    county: str, number: int | None, *, apply: bool, db: Engine | None = None
) -> int:
    if db is not None:
        return _migrate(db, county, number, apply=apply)
    own = make_engine(load_settings().database_url)
    try:
        return _migrate(own, county, number, apply=apply)
    finally:
        own.dispose()  # a command run: close the pool's connections before exiting


def _migrate(db: Engine, county: str, number: int | None, *, apply: bool) -> int:
    if not schema.is_current(db):
        print("数据库尚未升级到当前版本，请先运行 yidi db upgrade", file=sys.stderr)
        return 2
    try:
        plan = versions.plan_migration(db, county, version_id(db, county, number))
    except EngineError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    print(report(plan))
    if not apply:
        print("（预演，未作改动；加 --apply 执行）")
        return 0
    result = versions.migrate_cases(db, plan)
    print(f"已迁移 {len(result.moved)} 件，拒绝 {len(result.refused)} 件")
    for code, reason in result.refused:
        print(f"  {code}: {reason}")
    return 1 if result.refused else 0
