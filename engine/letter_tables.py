"""The letters' tables (函件, engine/letters.py): the letters, their numbering counters and
their own append-only history. Migration `letters_i20letters`."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class Letter(Base):
    """One numbered letter: issued by a center, addressed to an office at a center."""

    __tablename__ = "letter"
    __table_args__ = (
        # The number is the document's identity: never two alike in a county ...
        UniqueConstraint("county_id", "number", name="uq_letter_number"),
        # ... and never two letters with one serial of a kind and year (no duplicates even if
        # a pattern were edited to print two serials alike).
        UniqueConstraint("county_id", "kind", "year", "serial", name="uq_letter_serial"),
        Index("ix_letter_county_state", "county_id", "state", "issued_at"),
        Index("ix_letter_addressee", "county_id", "to_center", "to_office", "state"),
        Index("ix_letter_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    kind: Mapped[str] = mapped_column(String(100))  # LetterKind.key
    title: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100))  # e.g. 孝综督函〔2026〕12号
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    issuer_center: Mapped[str] = mapped_column(String(100))
    issued_by: Mapped[str] = mapped_column(String(100))  # username
    issued_name: Mapped[str] = mapped_column(String(100))  # display name
    to_center: Mapped[str] = mapped_column(String(100))
    to_office: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)  # the filled-in text, paragraphs by line
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20))  # issued|signed|answered|closed
    overdue: Mapped[bool] = mapped_column(default=False)  # the reply deadline passed unanswered
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on_time: Mapped[bool | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    # the warning that issued it (预警函, issue 21.5; migration warning_letter_i21letter)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warning.id"), index=True)


class LetterCounter(Base):
    """The last serial per county, kind and year: bumped in the transaction of each letter."""

    __tablename__ = "letter_counter"

    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class LetterEvent(Base):
    """A letter's history (签发, 签收, 回复, 逾期, 销号): appended, never changed."""

    __tablename__ = "letter_event"
    __table_args__ = (Index("ix_letter_event_letter", "letter_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))  # display name, or 系统
    kind: Mapped[str] = mapped_column(String(20))  # issued|signed|answered|overdue|closed
    note: Mapped[str] = mapped_column(Text, default="")


LETTER = cast(Table, Letter.__table__)
COUNTER = cast(Table, LetterCounter.__table__)
LETTER_EVENT = cast(Table, LetterEvent.__table__)
