"""letters: numbered letters (函件) with their counters and history (engine/letter_tables.py)

Revision ID: letters_i20letters
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)
"""

import sqlalchemy as sa
from alembic import op

revision = "letters_i20letters"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("issuer_center", sa.String(length=100), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("issued_name", sa.String(length=100), nullable=False),
        sa.Column("to_center", sa.String(length=100), nullable=False),
        sa.Column("to_office", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on_time", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_letter_county_id_county")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_letter_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint("county_id", "number", name="uq_letter_number"),
        sa.UniqueConstraint("county_id", "kind", "year", "serial", name="uq_letter_serial"),
    )
    op.create_index("ix_letter_county_state", "letter", ["county_id", "state", "issued_at"])
    op.create_index(
        "ix_letter_addressee", "letter", ["county_id", "to_center", "to_office", "state"]
    )
    op.create_index("ix_letter_case", "letter", ["case_id"])
    op.create_table(
        "letter_counter",
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_letter_counter_county_id_county")
        ),
        sa.PrimaryKeyConstraint("county_id", "kind", "year", name=op.f("pk_letter_counter")),
    )
    op.create_table(
        "letter_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_event_letter_id_letter")
        ),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_letter_event_county_id_county")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_event")),
    )
    op.create_index("ix_letter_event_letter", "letter_event", ["letter_id", "id"])


def downgrade() -> None:
    op.drop_table("letter_event")
    op.drop_table("letter_counter")
    op.drop_table("letter")
