"""timers: due times fired exactly once by the timer worker

Revision ID: 0003_timers
Revises: 0001_foundation

Its own branch: the timer table has no foreign keys to the case and ticket tables (branch
0002_engine), so the two can migrate independently.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

revision = "0003_timers"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_by", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer")),
    )
    # Partial: only pending timers are indexed, so the index stays small as timers fire;
    # (due_at, id) is the claim's order, so claiming a batch reads just that batch.
    op.create_index(
        "ix_timer_pending_due",
        "timer",
        ["due_at", "id"],
        postgresql_where=sa.text("fired_at IS NULL"),
        sqlite_where=sa.text("fired_at IS NULL"),
    )
    # Cancelling looks only at pending timers too; partial indexes also spare the update that
    # marks a timer fired from adding entries to them.
    pending = sa.text("fired_at IS NULL")
    op.create_index(
        "ix_timer_ticket", "timer", ["ticket_id"], postgresql_where=pending, sqlite_where=pending
    )
    op.create_index(
        "ix_timer_case", "timer", ["case_id"], postgresql_where=pending, sqlite_where=pending
    )


def downgrade() -> None:
    op.drop_index("ix_timer_case", table_name="timer")
    op.drop_index("ix_timer_ticket", table_name="timer")
    op.drop_index("ix_timer_pending_due", table_name="timer")
    op.drop_table("timer")
