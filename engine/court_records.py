"""The court link's records (诉调对接): one row per matter the center follows at the court.

A hand-off (诉讼 / 速裁 after a failed mediation) or a judicial confirmation request (司法确认)
opens a row; the court liaison (or the court's system, through the API) fills in the filing,
the hearing and the result. The figures (engine/reports/court.py) count these rows; every
step is also an audit event on the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime

HAND_OFF = "hand_off"  # the case went to the court (诉讼 / 速裁)
CONFIRMATION = "confirmation"  # the agreement went for judicial confirmation (司法确认)
# what the court decided, for the figures
CLOSED = "closed"  # the court concluded the matter: the case closes
SENT_BACK = "sent_back"  # the court sent the matter back for mediation: the case reopens
CONFIRMED = "confirmed"  # 确认有效
REFUSED = "refused"  # 不予确认: the case reopens


class CourtMatter(Base):
    __tablename__ = "court_matter"
    __table_args__ = (
        Index("ix_court_matter_case", "case_id", "id"),
        Index("ix_court_matter_county", "county_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(20))  # HAND_OFF | CONFIRMATION
    route: Mapped[str] = mapped_column(String(100), default="")  # the diversion: 诉讼, 速裁
    after_failed_mediation: Mapped[bool] = mapped_column(default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    court_case_number: Mapped[str | None] = mapped_column(String(100))  # 案号
    hearing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(String(20))  # CLOSED | SENT_BACK | ...
    result: Mapped[str | None] = mapped_column(String(500))  # the court's words
    decided_by: Mapped[str | None] = mapped_column(String(100))


COURT_MATTER = cast(Table, CourtMatter.__table__)
