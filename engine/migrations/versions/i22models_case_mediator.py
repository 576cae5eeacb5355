"""case_mediator: who recorded each outcome of a case and who had signed for it (issue 22)

Revision ID: i22models_case_mediator
Revises: 0001_foundation (depends on 0002_engine, which creates the case and ticket tables)
"""

import sqlalchemy as sa
from alembic import op

revision = "i22models_case_mediator"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "case_mediator",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("county_id", sa.Integer(), sa.ForeignKey("county.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("ticket.id"), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=True),
        sa.Column("studio", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.Column("meaning", sa.String(length=40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credited", sa.String(length=100), nullable=True),
        sa.Column("credited_studio", sa.String(length=100), nullable=True),
    )
    op.create_index("ix_case_mediator_county_at", "case_mediator", ["county_id", "at"])
    op.create_index("ix_case_mediator_case", "case_mediator", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_mediator_case", table_name="case_mediator")
    op.drop_index("ix_case_mediator_county_at", table_name="case_mediator")
    op.drop_table("case_mediator")
