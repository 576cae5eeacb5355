"""court link (诉调对接): the matters the center follows at the court (engine/court_records.py)

Revision ID: court_i20court
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)
"""

import sqlalchemy as sa
from alembic import op

revision = "court_i20court"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "court_matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=100), nullable=False),
        sa.Column("after_failed_mediation", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("court_case_number", sa.String(length=100), nullable=True),
        sa.Column("hearing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("result", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_court_matter_county_id_county")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_court_matter_case_id_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_matter")),
    )
    op.create_index("ix_court_matter_case", "court_matter", ["case_id", "id"])
    op.create_index("ix_court_matter_county", "court_matter", ["county_id", "requested_at"])


def downgrade() -> None:
    op.drop_index("ix_court_matter_county", table_name="court_matter")
    op.drop_index("ix_court_matter_case", table_name="court_matter")
    op.drop_table("court_matter")
