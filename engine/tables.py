"""The engine's tables: cases, their parties, tickets and the append-only event log.

Figures for dashboards are read from indexed columns here (status, due and closing times,
outcome, satisfaction, visits, level), never by replaying events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow
from engine.registry import JSONType


class Case(Base):
    """One citizen's matter (一案一码): owned, routed, tracked to verification."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_case_county_received", "county_id", "received_at"),
        Index("ix_case_county_status_due", "county_id", "status", "due_at"),
        Index("ix_case_center_status", "county_id", "center", "status"),
        # The reports' closed-in-period figures (migration 0008).
        Index("ix_case_county_closed_status", "county_id", "closed_at", "status"),
        # Supervised cases only, for the inbox's 督办 tab (migration 0009).
        Index(
            "ix_case_supervised",
            "county_id",
            sqlite_where=text("supervised = 1"),
            postgresql_where=text("supervised"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    code: Mapped[str] = mapped_column(String(40))  # e.g. "XG-2026-000123"
    title: Mapped[str] = mapped_column(String(200), default="")
    # intake
    channel: Mapped[str] = mapped_column(String(40))
    window: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_by: Mapped[str] = mapped_column(String(100))  # username or API caller
    received_center: Mapped[str] = mapped_column(String(100))
    visits: Mapped[int] = mapped_column(default=0)  # in-person visits so far
    # assessment
    category: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(100))  # the village/town center key
    # where it is now
    process: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(40))
    center: Mapped[str] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    step: Mapped[str | None] = mapped_column(String(100))  # main open step, for lists
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|suspended|closed
    colour: Mapped[str] = mapped_column(String(20), default="")
    supervised: Mapped[bool] = mapped_column(default=False)
    leader: Mapped[str | None] = mapped_column(String(100))  # 领导包案
    # time
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_on_time: Mapped[bool | None] = mapped_column()
    # the route's response timer (响应 N 分钟, engine/response.py; migration response_case)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by: Mapped[str | None] = mapped_column(String(100))  # display name
    # outcome
    outcome: Mapped[str | None] = mapped_column(String(100))  # e.g. 调解成功 / 调解不成 / 分流
    resolved: Mapped[bool | None] = mapped_column()  # 化解
    mediated: Mapped[bool] = mapped_column(default=False)  # went through mediation
    mediation_success: Mapped[bool | None] = mapped_column()
    diversion: Mapped[str | None] = mapped_column(String(100))
    resolved_level: Mapped[str | None] = mapped_column(String(40))
    resolved_center: Mapped[str | None] = mapped_column(String(100))
    mediator: Mapped[str | None] = mapped_column(String(100))
    studio: Mapped[str | None] = mapped_column(String(100))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    verified: Mapped[bool | None] = mapped_column()
    escalations: Mapped[int] = mapped_column(default=0)
    reopenings: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # intake form data
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseParty(Base):
    """A party (当事人): personal data, kept apart so it can be masked, searched and scoped."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    role: Mapped[str] = mapped_column(String(40), default="申请人")


class CaseCodeSequence(Base):
    """The next sequence number per county and year, for 一案一码 codes under concurrency."""

    __tablename__ = "case_code_sequence"

    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """A work item (单) a step issues to an office or role at a center."""

    __tablename__ = "ticket"
    __table_args__ = (
        # The inbox's scans: one per (center, office, role) in due order (migration 0011).
        Index("ix_ticket_inbox", "county_id", "state", "center", "office", "role", "due_at"),
        Index("ix_ticket_case", "case_id", "state"),
        # Supervision tickets only, for the inbox's 督办 tab (migration 0009).
        Index(
            "ix_ticket_supervision",
            "county_id",
            "state",
            sqlite_where=text("kind = 'supervision'"),
            postgresql_where=text("kind = 'supervision'"),
        ),
        # Finished tickets only (migration 0010): open tickets cost these indexes nothing.
        Index(
            "ix_ticket_done",
            "completed_by",
            "completed_at",
            sqlite_where=text("completed_by IS NOT NULL"),
            postgresql_where=text("completed_by IS NOT NULL"),
        ),
        Index(
            "ix_ticket_county_completed",
            "county_id",
            "completed_at",
            sqlite_where=text("completed_at IS NOT NULL"),
            postgresql_where=text("completed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    step: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))  # 派单 / 接单 / 督办单 / ...
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # task|consultation|evaluation|verification|supervision
    state: Mapped[str] = mapped_column(
        String(20), default="open"
    )  # open|claimed|completed|returned|cancelled
    center: Mapped[str] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))
    join_group: Mapped[str | None] = mapped_column(String(64))  # consultation: tickets joined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    colour: Mapped[str] = mapped_column(String(20), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))  # username
    completed_name: Mapped[str | None] = mapped_column(String(100))  # display name, for messages
    action: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Opened because the case was sent back (退回) to this step: the returner's reason, so the
    # inbox marks it instead of showing it like a new case (migration i18staff_ticket_returned).
    returned_reason: Mapped[str | None] = mapped_column(Text)


class Event(Base):
    """Append-only audit log: who did what, when, with the state before and after."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))  # received|dispatched|accepted|returned|...
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(Text, default="")


class CaseToken(Base):
    """A one-time link token for the citizen's evaluation; only its SHA-256 is stored."""

    __tablename__ = "case_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default="evaluation")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Core handles for the hot paths (statements, not ORM units of work).
CASE = cast(Table, Case.__table__)
PARTY = cast(Table, CaseParty.__table__)
SEQUENCE = cast(Table, CaseCodeSequence.__table__)
TICKET = cast(Table, Ticket.__table__)
EVENT = cast(Table, Event.__table__)
TOKEN = cast(Table, CaseToken.__table__)
