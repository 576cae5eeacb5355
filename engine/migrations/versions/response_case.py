"""case: the route's response timer (响应 N 分钟): when the response is due, when and by whom
the routed office first responded (claimed or acted)

Revision ID: response_case
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)

Plain ADD COLUMN on both backends (nullable, no default): SQLite does not rebuild the case
table, whose rows the append-only event log references.
"""

import sqlalchemy as sa
from alembic import op

revision = "response_case"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"

COLUMNS = ("response_due_at", "responded_at", "responded_by")


def upgrade() -> None:
    op.add_column("case", sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case", sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case", sa.Column("responded_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("case", column)
