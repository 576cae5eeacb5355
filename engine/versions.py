"""Publishing county definitions as content-addressed versions, and finding a case's model.

Each case is pinned to the version it started on. Compiled models are cached in memory by
content hash (a version's content never changes), so the hot path pays one dict lookup;
a version published by another process is recompiled from the source files stored with it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, insert, select, update

from dsl.model import County as CountyModel
from engine import driver
from engine.db import utcnow, writer
from engine.errors import NotFound
from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION
from engine.registry import DefinitionVersion

if TYPE_CHECKING:
    from engine.migration import MigrationPlan, MigrationResult

log = logging.getLogger(__name__)

_MODELS: dict[str, CountyModel] = {}
_LOCK = threading.Lock()


def content_hash(model: CountyModel) -> str:
    """The compiler's hash; counties built in Python without one get a hash of their repr."""
    return model.content_hash or hashlib.sha256(repr(model).encode()).hexdigest()


def remember(model: CountyModel) -> str:
    digest = content_hash(model)
    with _LOCK:
        _MODELS.setdefault(digest, model)
    return digest


class VersionMismatch(RuntimeError):
    """A stored version's files no longer compile to its content hash (a changed compiler or
    edited rows): running cases on it must not silently run another model."""


def model_for_hash(
    digest: str, files: dict[str, str] | None = None, key: str | None = None
) -> CountyModel:
    """The compiled model of a content hash: cached, or compiled again, in memory, from its
    stored files under its own county key (the key is part of the model and of its hash)."""
    found = _MODELS.get(digest)
    if found is not None:
        return found
    if not files or not key:
        raise NotFound("找不到该版本的流程定义（未保存源文件）")
    from dsl import compile_files  # type: ignore[attr-defined,unused-ignore]

    result = compile_files(key, files)
    model: CountyModel | None = result.county
    if model is None:
        problems = "；".join(d.message for d in result.diagnostics[:3])
        raise VersionMismatch(f"县区「{key}」已发布的版本 {digest[:12]} 无法重新编译：{problems}")
    if content_hash(model) != digest:
        raise VersionMismatch(
            f"县区「{key}」已发布的版本 {digest[:12]} 重新编译后内容不同"
            f"（{content_hash(model)[:12]}），拒绝以另一模型运行其案件"
        )
    with _LOCK:
        _MODELS[digest] = model
    return model


def model_of_version(conn: Connection, version_id: int, digest: str) -> CountyModel:
    """The model of a stored version (its hash already read): cached, or compiled from its row."""
    found = _MODELS.get(digest)
    if found is not None:
        return found
    from engine.statements import VERSION_SOURCE

    row = conn.execute(VERSION_SOURCE, {"version_id": version_id}).first()
    if row is None:
        raise NotFound(f"没有编号为 {version_id} 的流程版本")
    return model_for_hash(digest, dict(row.files or {}), row.code)


def publish(engine: Engine, county_model: CountyModel, *, by: str) -> DefinitionVersion:
    """Make this model the county's current version; publishing the same content again is a
    no-op that returns the existing version. Creates the county on its first publish."""
    with writer(engine).begin() as conn:
        return publish_in(conn, county_model, by=by)


def publish_in(conn: Connection, county_model: CountyModel, *, by: str) -> DefinitionVersion:
    """`publish` inside the caller's transaction, so that callers can add their own writes
    (the console's audit record) and have all of it commit, or none."""
    digest = remember(county_model)
    county_id = conn.execute(select(COUNTY.c.id).where(COUNTY.c.code == county_model.key)).scalar()
    if county_id is None:
        county_id = conn.execute(
            insert(COUNTY)
            .values(code=county_model.key, name=county_model.name, created_at=utcnow())
            .returning(COUNTY.c.id)
        ).scalar_one()
    existing = conn.execute(
        select(VERSION).where(VERSION.c.county_id == county_id, VERSION.c.content_hash == digest)
    ).first()
    if existing is None:
        number = conn.execute(
            select(func.coalesce(func.max(VERSION.c.number), 0)).where(
                VERSION.c.county_id == county_id
            )
        ).scalar_one()
        conn.execute(
            update(VERSION).where(VERSION.c.county_id == county_id).values(is_current=False)
        )
        conn.execute(
            insert(VERSION).values(
                county_id=county_id,
                number=number + 1,
                content_hash=digest,
                files=dict(county_model.files),
                published_at=utcnow(),
                published_by=by,
                is_current=True,
            )
        )
        conn.execute(update(COUNTY).where(COUNTY.c.id == county_id).values(name=county_model.name))
    row = conn.execute(
        select(VERSION).where(VERSION.c.county_id == county_id, VERSION.c.content_hash == digest)
    ).one()
    return DefinitionVersion(**row._asdict())


def county_id(engine: Engine, county_key: str) -> int:
    with engine.connect() as conn:
        found = conn.execute(select(COUNTY.c.id).where(COUNTY.c.code == county_key)).scalar()
    if found is None:
        raise NotFound(f"没有县区「{county_key}」，请先发布其流程定义")
    return int(found)


def current_version(engine: Engine, county_key: str) -> tuple[int, int, CountyModel]:
    """(county id, version id, model) of the county's current version."""
    with engine.connect() as conn:
        return current_in(conn, county_key)


def current_in(conn: Connection, county_key: str) -> tuple[int, int, CountyModel]:
    """current_version inside the caller's transaction."""
    from engine.statements import CURRENT_VERSION

    # On the driver (every intake and many reads start here): a prebuilt statement.
    rows = driver.tuples(conn, CURRENT_VERSION, {"county": county_key})
    if not rows:
        raise NotFound(f"县区「{county_key}」还没有发布流程定义")
    version_id, county_id, digest = rows[0]
    return county_id, version_id, model_of_version(conn, version_id, digest)


def current_county(engine: Engine, county_key: str) -> CountyModel:
    """The compiled current version of a county (cached by content hash)."""
    return current_version(engine, county_key)[2]


def county_for_version(engine: Engine, version_id: int) -> CountyModel:
    with engine.connect() as conn:
        digest = conn.execute(
            select(VERSION.c.content_hash).where(VERSION.c.id == version_id)
        ).scalar()
        if digest is None:
            raise NotFound(f"没有编号为 {version_id} 的流程版本")
        return model_of_version(conn, version_id, digest)


def load_demo(engine: Engine, definitions_dir: Path) -> list[str]:
    """Publish every county folder under `definitions/` that compiles; return their keys.

    A folder that does not compile is logged and skipped so that one broken draft does not
    keep `yidi serve` from starting."""
    from dsl import compile_county  # type: ignore[attr-defined,unused-ignore]

    published: list[str] = []
    for folder in sorted(p for p in Path(definitions_dir).iterdir() if p.is_dir()):
        try:
            model: CountyModel = compile_county(folder)
        except Exception as exc:
            log.warning("县区定义 %s 未能编译，已跳过：%s", folder.name, exc)
            continue
        publish(engine, model, by="demo")
        published.append(model.key)
    return published


def plan_migration(engine: Engine, county_key: str, to_version: int) -> MigrationPlan:
    """Dry run: for every running case of the county on another version, where each of its
    open steps maps in `to_version`, or why it cannot."""
    from engine.migration import plan

    return plan(engine, county_key, to_version)


def migrate_cases(engine: Engine, plan: MigrationPlan) -> MigrationResult:
    """Move the mappable cases of a plan to its version (audited); refuse the others."""
    from engine.migration import migrate

    return migrate(engine, plan)
