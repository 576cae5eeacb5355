"""console: definition drafts and the administrators' audit trail

Revision ID: 0007_console
Revises: 0001_foundation

A draft is the text of one file of a county's definition as the administrator is editing it;
it lives apart from the published versions (definition_version.files) until it is published.
Every change an administrator makes (draft saved, published, migration started, account
created or changed, import applied) leaves one admin_audit row with before and after.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

revision = "0007_console"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "definition_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_draft")),
        sa.UniqueConstraint("county", "path", name=op.f("uq_definition_draft_county_path")),
    )
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    op.create_index(op.f("ix_admin_audit_county_at"), "admin_audit", ["county", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_admin_audit_county_at"), table_name="admin_audit")
    op.drop_table("admin_audit")
    op.drop_table("definition_draft")
