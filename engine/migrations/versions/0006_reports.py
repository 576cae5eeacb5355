"""reports: indexes the dashboard figures read through

Revision ID: 0006_reports
Revises: 0002_engine

Figures select the cases that touch a period: received in it (ix_case_county_received, from
0002), closed in it (below), or still open and overdue at its end (ix_case_county_status_due,
from 0002, plus the closed-at index for cases closed after the end). The acceptance figure reads
tickets finished in the period.
"""

from alembic import op

revision = "0006_reports"
down_revision = "0002_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_county_closed", "case", ["county_id", "closed_at"])
    op.create_index("ix_ticket_county_completed", "ticket", ["county_id", "completed_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_county_completed", table_name="ticket")
    op.drop_index("ix_case_county_closed", table_name="case")
