"""The release note (发布说明) of each published version (migration i18admin_release_note).

Publishing is two steps: the versions page asks for the note, the confirmation page shows what
will change (files, lines added and removed) and publishes only the working copy it showed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Engine, ForeignKey, String, Table, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

MAX_NOTE = 2000


class ReleaseNote(Base):
    __tablename__ = "release_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(100))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


NOTES = cast(Table, ReleaseNote.__table__)


def checked_note(text: str) -> str:
    """The note, trimmed; ValueError with a Chinese message when it is missing or too long."""
    note = text.strip()
    if not note:
        raise ValueError("请填写发布说明：这一版改了什么、为什么改（会列在版本记录里）。")
    if len(note) > MAX_NOTE:
        raise ValueError(f"发布说明最多 {MAX_NOTE} 字，现在是 {len(note)} 字。")
    return note


def working_copy_digest(files: dict[str, str]) -> str:
    """Names the working copy the confirmation page showed: publishing refuses another one."""
    text = json.dumps(files, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save(conn: Connection, version_id: int, note: str, by: str) -> None:
    """Inside the publishing transaction; a version published again (same content) keeps the
    note it was first published with."""
    exists = conn.execute(select(NOTES.c.id).where(NOTES.c.version_id == version_id)).first()
    if exists is None:
        conn.execute(
            NOTES.insert().values(
                version_id=version_id, note=note, written_by=by, written_at=utcnow()
            )
        )


def notes_of(db: Engine, version_ids: list[int]) -> dict[int, str]:
    if not version_ids:
        return {}
    with db.connect() as conn:
        rows = conn.execute(
            select(NOTES.c.version_id, NOTES.c.note).where(NOTES.c.version_id.in_(version_ids))
        )
        return {r.version_id: r.note for r in rows}


@dataclass(frozen=True)
class FileSummary:
    path: str
    status: str  # 新增 / 修改 / 删除
    added: int
    removed: int
