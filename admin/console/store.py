"""Drafts of definition files and the administrators' audit trail (migration 0007_console).

The working copy of a county is its published files with the drafts laid over them: what the
administrator edits, checks and finally publishes. Drafts never touch the published versions,
so staff keep working on the published definition while the administrator types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow, writer
from engine.registry import County, DefinitionVersion, JSONType


class DefinitionDraft(Base):
    __tablename__ = "definition_draft"
    __table_args__ = (UniqueConstraint("county", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county: Mapped[str] = mapped_column(String(40))  # County.code
    path: Mapped[str] = mapped_column(String(200))  # relative to the county folder
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AdminAudit(Base):
    """One administrator's change: who, when, what, and the state before and after."""

    __tablename__ = "admin_audit"
    __table_args__ = (Index("ix_admin_audit_county_at", "county", "at"),)  # migration 0007

    id: Mapped[int] = mapped_column(primary_key=True)
    county: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JSONType, nullable=True)
    after: Mapped[Any] = mapped_column(JSONType, nullable=True)


DRAFTS = cast(Table, DefinitionDraft.__table__)
AUDIT = cast(Table, AdminAudit.__table__)
VERSIONS = cast(Table, DefinitionVersion.__table__)
COUNTIES = cast(Table, County.__table__)


def record(
    conn: Connection,
    county: str,
    actor: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Audit inside the caller's transaction: the change and its record commit together."""
    conn.execute(
        AUDIT.insert().values(
            county=county,
            actor=actor,
            at=utcnow(),
            action=action,
            target=target[:200],
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    at: datetime
    action: str
    target: str
    before: Any
    after: Any


def audit_trail(db: Engine, county: str, limit: int = 200) -> list[AuditEntry]:
    query = (
        select(AUDIT)
        .where(AUDIT.c.county == county)
        .order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
        .limit(limit)
    )
    with db.connect() as conn:
        rows = conn.execute(query).all()
    return [AuditEntry(r.actor, r.at, r.action, r.target, r.before, r.after) for r in rows]


# --- published and working files ----------------------------------------------------------


@dataclass(frozen=True)
class Published:
    version_id: int
    number: int
    files: dict[str, str]
    published_by: str
    published_at: datetime


def published(db: Engine, county: str) -> Published | None:
    """The county's current published version, or None before its first publication."""
    query = (
        select(VERSIONS)
        .join(COUNTIES, COUNTIES.c.id == VERSIONS.c.county_id)
        .where(COUNTIES.c.code == county, VERSIONS.c.is_current.is_(True))
        .order_by(VERSIONS.c.number.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    files = {str(k): str(v) for k, v in dict(row.files).items()}
    return Published(row.id, row.number, files, row.published_by, row.published_at)


@dataclass(frozen=True)
class Draft:
    path: str
    text: str
    updated_by: str
    updated_at: datetime


def drafts(db: Engine, county: str) -> dict[str, Draft]:
    query = select(DRAFTS).where(DRAFTS.c.county == county).order_by(DRAFTS.c.path)
    with db.connect() as conn:
        rows = conn.execute(query).all()
    return {r.path: Draft(r.path, r.text, r.updated_by, r.updated_at) for r in rows}


def working_files(db: Engine, county: str) -> dict[str, str]:
    """Published files with the drafts laid over them: what a publication would contain."""
    current = published(db, county)
    files = dict(current.files) if current else {}
    files.update({path: d.text for path, d in drafts(db, county).items()})
    return dict(sorted(files.items()))


def save_draft(db: Engine, county: str, path: str, text: str, by: str) -> None:
    """Insert or replace one draft file, audited, in one transaction."""
    save_drafts(db, county, {path: text}, by)


def save_drafts(
    db: Engine, county: str, texts: dict[str, str], by: str, action: str = "保存草稿"
) -> None:
    """Several draft files at once (an import touches the list and the file naming it)."""
    with writer(db).begin() as conn:
        for path, text in texts.items():
            old = conn.execute(
                select(DRAFTS.c.id, DRAFTS.c.text).where(
                    DRAFTS.c.county == county, DRAFTS.c.path == path
                )
            ).first()
            values = {"text": text, "updated_by": by, "updated_at": utcnow()}
            if old is None:
                conn.execute(DRAFTS.insert().values(county=county, path=path, **values))
            else:
                conn.execute(DRAFTS.update().where(DRAFTS.c.id == old.id).values(**values))
            before = None if old is None else {"text": old.text}
            record(conn, county, by, action, path, before, {"text": text})


def discard_draft(db: Engine, county: str, path: str, by: str) -> bool:
    with writer(db).begin() as conn:
        old = conn.execute(
            select(DRAFTS.c.text).where(DRAFTS.c.county == county, DRAFTS.c.path == path)
        ).first()
        if old is None:
            return False
        conn.execute(delete(DRAFTS).where(DRAFTS.c.county == county, DRAFTS.c.path == path))
        record(conn, county, by, "放弃草稿", path, {"text": old.text}, None)
    return True


def clear_drafts(conn: Connection, county: str) -> None:
    """After a publication the drafts are what was published: the working copy starts afresh."""
    conn.execute(delete(DRAFTS).where(DRAFTS.c.county == county))
