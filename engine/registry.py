"""Counties and the definition versions they publish: what cases are pinned to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class County(Base):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # folder name, e.g. "putuo"
    name: Mapped[str] = mapped_column(String(100))  # e.g. "普陀区"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DefinitionVersion(Base):
    """One compiled, content-addressed version of a county's definition.

    The source files are stored whole so that cases pinned to an old version keep running after
    the files on disk (or the console draft) have moved on.
    """

    __tablename__ = "definition_version"
    __table_args__ = (UniqueConstraint("county_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    number: Mapped[int]  # 1, 2, 3 ... per county, in publishing order
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSONType)  # relative path -> text
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(100))
    is_current: Mapped[bool] = mapped_column(default=True)


# Core handles.
COUNTY_T = cast(Table, County.__table__)
VERSION_T = cast(Table, DefinitionVersion.__table__)
