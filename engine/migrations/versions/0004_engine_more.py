"""engine: display name of who finished a ticket, one-time evaluation tokens, party search

Revision ID: 0004_engine_more
Revises: 0002_engine
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_engine_more"
down_revision = "0002_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_name", sa.String(length=100), nullable=True))
        # the "done" tab: what this user finished, newest first
        batch_op.create_index("ix_ticket_done", ["completed_by", "completed_at"], unique=False)
    op.create_table(
        "case_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_case_token_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_case_token_token_hash")),
    )
    op.create_index(op.f("ix_case_token_case_id"), "case_token", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_token_case_id"), table_name="case_token")
    op.drop_table("case_token")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_done")
        batch_op.drop_column("completed_name")
