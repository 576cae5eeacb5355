"""api_key_scope: what an API key may do (push intakes, record court results); admin/key_scopes.py

Revision ID: apikey_scope_i20courtfix
Revises: 0001_foundation (depends on 0005_accounts, which creates api_key)

Keys issued before have no row and keep every use they had.
"""

import sqlalchemy as sa
from alembic import op

revision = "apikey_scope_i20courtfix"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0005_accounts"


def upgrade() -> None:
    op.create_table(
        "api_key_scope",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("api_key_id", name=op.f("pk_api_key_scope")),
    )


def downgrade() -> None:
    op.drop_table("api_key_scope")
