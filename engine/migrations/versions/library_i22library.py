"""case_library: the case library (调解案例库, issue 22.4; engine/case_library.py)

Revision ID: library_i22library
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)
"""

import sqlalchemy as sa
from alembic import op

revision = "library_i22library"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "case_library",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("county_id", sa.Integer(), sa.ForeignKey("county.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("case_id", name="uq_case_library_case"),
    )
    op.create_index("ix_case_library_county_state", "case_library", ["county_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_case_library_county_state", table_name="case_library")
    op.drop_table("case_library")
