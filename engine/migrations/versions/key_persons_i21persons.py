"""key persons (重点人员): the register and its visits (engine/key_person_tables.py)

Revision ID: key_persons_i21persons
Revises: 0001_foundation (which creates the county table)
"""

import sqlalchemy as sa
from alembic import op

revision = "key_persons_i21persons"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_key_person_county_id_county")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_person")),
    )
    op.create_index("ix_key_person_place", "key_person", ["county_id", "place"])
    op.create_index("ix_key_person_id_number", "key_person", ["county_id", "id_number"])
    op.create_index("ix_key_person_phone", "key_person", ["county_id", "phone"])
    op.create_table(
        "key_person_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["key_person.id"],
            name=op.f("fk_key_person_visit_person_id_key_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_person_visit")),
    )
    op.create_index("ix_key_person_visit_person", "key_person_visit", ["person_id", "id"])


def downgrade() -> None:
    op.drop_table("key_person_visit")
    op.drop_table("key_person")
