"""national holidays: one table for every county, each year's schedule kept as versions

Revision ID: 0014_calendar_holidays
Revises: 0001_foundation

The State Council publishes each year's holidays and make-up working days (调休) in the autumn
before; chinesecalendar carries a year only once a release does. A system administrator
imports the schedule once for all counties (`yidi calendar import`, or the console page): each
import of a year is a new version (previous ones kept, the highest number is current), its
days as JSON {"2027-02-06": ["放假", "春节"], ...}. `token` is random per version, so that a
process can tell "the table changed" from the newest row's (id, token) even after a restore
or a truncation reused the ids. `system_admin` names the accounts allowed to import (granted
on the command line only).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

revision = "0014_calendar_holidays"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_holiday_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("days", JSONType, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("notice", sa.String(length=500), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_holiday_version")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_national_holiday_version_year_number")),
    )
    op.create_table(
        "system_admin",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_system_admin")),
    )


def downgrade() -> None:
    op.drop_table("system_admin")
    op.drop_table("national_holiday_version")
