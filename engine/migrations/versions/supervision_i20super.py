"""supervision: 督办单 issued by hand to an office, with their replies (engine/supervision.py)

Revision ID: supervision_i20super
Revises: 0001_foundation (depends on 0002_engine, which creates the case and ticket tables)
"""

import sqlalchemy as sa
from alembic import op

revision = "supervision_i20super"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "supervision_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("issued_name", sa.String(length=100), nullable=False),
        sa.Column("issuer_center", sa.String(length=100), nullable=False),
        sa.Column("issuer_role", sa.String(length=100), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_supervision_notice_county_id_county")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_supervision_notice_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_supervision_notice_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_notice")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_supervision_notice_ticket_id")),
    )
    op.create_index("ix_supervision_notice_case", "supervision_notice", ["case_id"])
    op.create_index(
        "ix_supervision_notice_county", "supervision_notice", ["county_id", "issued_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_supervision_notice_county", table_name="supervision_notice")
    op.drop_index("ix_supervision_notice_case", table_name="supervision_notice")
    op.drop_table("supervision_notice")
