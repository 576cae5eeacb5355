"""warning letters (预警函, issue 21.5): a letter issued by a correlated warning links to it

Revision ID: warning_letter_i21letter
Revises: letters_i20letters, prevention_i21prevent (it links a letter to a warning)
"""

import sqlalchemy as sa
from alembic import op

revision = "warning_letter_i21letter"
down_revision = ("letters_i20letters", "prevention_i21prevent")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter") as batch:
        batch.add_column(sa.Column("warning_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_letter_warning_id_warning"), "warning", ["warning_id"], ["id"]
        )
        batch.create_index(op.f("ix_letter_warning_id"), ["warning_id"])


def downgrade() -> None:
    with op.batch_alter_table("letter") as batch:
        batch.drop_index(op.f("ix_letter_warning_id"))
        batch.drop_constraint(op.f("fk_letter_warning_id_warning"), type_="foreignkey")
        batch.drop_column("warning_id")
