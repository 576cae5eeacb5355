"""login throttle: failure counters per address and per (account, address)

Revision ID: accounts_login_throttle
Revises: 0001_foundation

admin/throttle.py: logins are slowed per address and per account at an address, with backoff,
instead of locking an account for everyone after five failures by anyone. The keys are
SHA-256 digests; the old user_account.failed_logins/locked_until columns are no longer used.
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_login_throttle"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_throttle_last", "login_throttle", ["last_failure_at"])
    op.create_index("ix_login_throttle_account", "login_throttle", ["account"])


def downgrade() -> None:
    op.drop_table("login_throttle")
