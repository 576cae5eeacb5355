"""report speed: the closing-time index also holds the status

Revision ID: 0008_report_speed
Revises: 0006_reports

The closed cohort (and its daily trend) selects `status = 'closed'` and `closed_at` in the
period. With the status in the index, the trend counts from the index alone instead of
reading each case row of the month. Status and closing time change together (closing,
reopening), and the status is indexed already (ix_case_county_status_due), so the wider
index costs no extra write. The case table is analyzed afterwards (a few seconds on a
million cases).
"""

from alembic import op

revision = "0008_report_speed"
down_revision = "0006_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_county_closed_status", "case", ["county_id", "closed_at", "status"])
    op.drop_index("ix_case_county_closed", table_name="case")
    # statistics for the new index: SQLite otherwise takes an index it knows nothing about
    # for a very selective one and walks the whole county by it
    op.execute('ANALYZE "case"')


def downgrade() -> None:
    op.create_index("ix_case_county_closed", "case", ["county_id", "closed_at"])
    op.drop_index("ix_case_county_closed_status", table_name="case")
