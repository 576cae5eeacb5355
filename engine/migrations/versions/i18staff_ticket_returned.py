"""ticket: why the case came back to this ticket's step (退回 with its reason), so the inbox
marks a returned case instead of showing it like a new one

Revision ID: i18staff_ticket_returned
Revises: 0001_foundation (depends on 0002_engine, which creates the ticket table)

Plain ADD COLUMN on both backends (nullable, no default): SQLite does not rebuild the ticket
table, whose rows the event log references.
"""

import sqlalchemy as sa
from alembic import op

revision = "i18staff_ticket_returned"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.add_column("ticket", sa.Column("returned_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "returned_reason")
