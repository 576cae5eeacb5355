"""The key-person register (重点人员) tables (migration: key_persons_i21persons).

Personal data (ID number, phone, address) lives here in full; engine/key_persons.py masks it
for readers the county's `可见` does not name and writes an audit event for every full read.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class KeyPerson(Base):
    """A person on the register: a category of the county's, an office responsible for the
    visits, a place in the county's tree (which scopes who may read the record)."""

    __tablename__ = "key_person"
    __table_args__ = (
        Index("ix_key_person_place", "county_id", "place"),
        Index("ix_key_person_id_number", "county_id", "id_number"),
        Index("ix_key_person_phone", "county_id", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(100))  # a center of the county's tree
    category: Mapped[str] = mapped_column(String(100))  # one of KeyPersonRules.categories
    office: Mapped[str] = mapped_column(String(100))  # the office responsible (Office.key)
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(100))
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class KeyPersonVisit(Base):
    """One visit (走访) to a key person: when, by whom, what was found."""

    __tablename__ = "key_person_visit"
    __table_args__ = (Index("ix_key_person_visit_person", "person_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("key_person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)


KEY_PERSON = cast(Table, KeyPerson.__table__)
KEY_PERSON_VISIT = cast(Table, KeyPersonVisit.__table__)
