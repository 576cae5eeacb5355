"""Prevention (排查预警) tables: screening tasks, correlated-warning hits and warnings.

A screening task is not a ticket: it belongs to a round (排查 key + period) and a unit (a center),
not to a case; the case it may turn into links back through `case_id`. A warning belongs to a
cluster (a rule + a hash of the normalised identifiers the cases share), never to one case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.registry import JSONType


class ScreeningTask(Base):
    """One unit's task in one screening round: opened by the worker exactly once."""

    __tablename__ = "screening_task"
    __table_args__ = (
        # exactly once per unit per round, whatever the number of workers
        UniqueConstraint("county_id", "screening", "period", "center"),
        Index("ix_screening_task_inbox", "county_id", "state", "center", "role"),
        Index("ix_screening_task_due", "county_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    screening: Mapped[str] = mapped_column(String(100))  # Screening.key
    period: Mapped[str] = mapped_column(String(20))  # Period.key, e.g. "2026-11-H2"
    period_label: Mapped[str] = mapped_column(String(40))  # e.g. 「2026年11月下半月」
    center: Mapped[str] = mapped_column(String(100))  # the unit screened
    office: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | done
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the end of the round
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # the checklist form
    found: Mapped[bool] = mapped_column(default=False)  # a dispute was found
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))  # the case it became


class WarningHit(Base):
    """A case seen in a cluster of a rule (one row per rule, cluster and case)."""

    __tablename__ = "warning_hit"
    __table_args__ = (
        UniqueConstraint("county_id", "rule", "cluster", "case_id"),
        # the correlation's only read: this cluster's hits since the window began
        Index("ix_warning_hit_cluster", "county_id", "rule", "cluster", "seen_at"),
        Index("ix_warning_hit_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    rule: Mapped[str] = mapped_column(String(100))  # WarningRule.key
    cluster: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised identifiers
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    channel: Mapped[str] = mapped_column(String(40))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the case's received_at
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warning.id"))


class EarlyWarning(Base):
    """A correlated warning (预警) and its work order (预警工单) to a role at a center."""

    __tablename__ = "warning"
    __table_args__ = (
        # one open warning per cluster: later hits attach to it
        Index(
            "ux_warning_open_cluster",
            "county_id",
            "rule",
            "cluster",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_warning_inbox", "county_id", "state", "center", "role"),
        Index("ix_warning_opened", "county_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    rule: Mapped[str] = mapped_column(String(100))
    rule_name: Mapped[str] = mapped_column(String(200))
    cluster: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(20))  # a colour of the county's scale
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    center: Mapped[str] = mapped_column(String(100))  # where the work order goes
    role: Mapped[str] = mapped_column(String(100))
    town: Mapped[str] = mapped_column(String(100))  # the place's center, for figures by town
    category: Mapped[str] = mapped_column(String(100))  # of the latest case
    hits: Mapped[int] = mapped_column(default=0)
    sources: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # channel -> hits
    explanation: Mapped[str] = mapped_column(Text)  # 「同一当事人 30 天内第 5 次，来源：…」
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_hit_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)  # the work order's answer (处置情况)


class RiskItem(Base):
    """A risk on the register (矛盾风险清单): not a case; graded on the county's colour scale,
    owned by an office, closed (销号) with a reason."""

    __tablename__ = "risk_item"
    __table_args__ = (Index("ix_risk_item_open", "county_id", "state", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    subject: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(100))  # a center of the county's tree
    category: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(20))  # one of County.colours
    office: Mapped[str] = mapped_column(String(100))  # the owning office (Office.key)
    parties: Mapped[str] = mapped_column(Text, default="")  # who is involved, as written
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_reason: Mapped[str | None] = mapped_column(Text)


class RiskChange(Base):
    """One entry of a risk item's history: opened, regraded (with the reason) or closed."""

    __tablename__ = "risk_change"
    __table_args__ = (Index("ix_risk_change_item", "risk_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_item.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # opened | regraded | closed
    from_grade: Mapped[str | None] = mapped_column(String(20))
    to_grade: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")


SCREENING_TASK = cast(Table, ScreeningTask.__table__)
WARNING_HIT = cast(Table, WarningHit.__table__)
WARNING = cast(Table, EarlyWarning.__table__)
RISK_ITEM = cast(Table, RiskItem.__table__)
RISK_CHANGE = cast(Table, RiskChange.__table__)
