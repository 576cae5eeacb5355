"""console: the release note (发布说明) written with each published version

Revision ID: i18admin_release_note
Revises: 0001_foundation

Publishing asks for a note saying what changed and why; it is listed beside the version.
Versions published before this migration have none (shown as 「—」).
"""

import sqlalchemy as sa
from alembic import op

revision = "i18admin_release_note"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["definition_version.id"],
            name=op.f("fk_release_note_version_id_definition_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_note")),
        sa.UniqueConstraint("version_id", name=op.f("uq_release_note_version_id")),
    )


def downgrade() -> None:
    op.drop_table("release_note")
