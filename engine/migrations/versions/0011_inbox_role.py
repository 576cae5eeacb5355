"""inbox by role: the inbox index names the ticket's role before its due time

Revision ID: 0011_inbox_role
Revises: 0010_engine_speed (which follows 0002_engine, where ix_ticket_inbox was created)

The inbox reads a user's open tickets as one scan per (center, office, role) they may work,
in due-time order. With the role outside the index every scan read each candidate ticket's row
to test its role, and the scan for an office member's center-level tickets (no office, their
role) walked through all of the center's dispatch tickets of other roles to find none: the web
inbox left those tickets out rather than pay for it, although engine.scope.may_work lets the
member work them. With (county_id, state, center, office, role, due_at) each scan is an
equality prefix read in due order from the index alone.
"""

from alembic import op

revision = "0011_inbox_role"
down_revision = "0010_engine_speed"
branch_labels = None
depends_on = None

BEFORE = ["county_id", "state", "center", "office", "due_at"]
AFTER = ["county_id", "state", "center", "office", "role", "due_at"]


def upgrade() -> None:
    op.drop_index("ix_ticket_inbox", table_name="ticket")
    op.create_index("ix_ticket_inbox", "ticket", AFTER)


def downgrade() -> None:
    op.drop_index("ix_ticket_inbox", table_name="ticket")
    op.create_index("ix_ticket_inbox", "ticket", BEFORE)
