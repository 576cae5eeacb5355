"""engine speed: the finished-ticket indexes hold finished tickets only

Revision ID: 0010_engine_speed
Revises: 0004_engine_more, 0006_reports (the two indexes come from them)

`ix_ticket_done` (completed_by, completed_at: the inbox's 已办 tab) and
`ix_ticket_county_completed` (county_id, completed_at: the reports' ticket figures) had an entry
for every ticket, so opening a ticket added one (NULL) entry to each and finishing it moved it:
about three of an action's fourteen written pages. Every query that uses them names a finisher
(`completed_by = ?`) or a closing-time range (`completed_at >= ? AND completed_at < ?`), which
implies the column is not NULL, so both SQLite and PostgreSQL still choose them as partial
indexes over finished tickets; open tickets no longer cost them anything.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_engine_speed"
down_revision = ("0004_engine_more", "0006_reports")
branch_labels = None
depends_on = None

# (name, columns, the column that is NULL until the ticket is finished)
INDEXES = (
    ("ix_ticket_done", ["completed_by", "completed_at"], "completed_by"),
    ("ix_ticket_county_completed", ["county_id", "completed_at"], "completed_at"),
)


def upgrade() -> None:
    for name, columns, column in INDEXES:
        op.drop_index(name, table_name="ticket")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "ticket", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, columns, _ in INDEXES:
        op.drop_index(name, table_name="ticket")
        op.create_index(name, "ticket", columns)
