"""outbox: replies to source systems (回告推送) — callbacks per API key, subscribed cases,
and the outbox of signed replies the worker delivers (engine/outbox.py)

Revision ID: outbox_i20outbox
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)
"""

import sqlalchemy as sa
from alembic import op

revision = "outbox_i20outbox"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"


def upgrade() -> None:
    op.create_table(
        "api_callback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_callback")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_api_callback_api_key_id")),
    )
    op.create_table(
        "case_subscription",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_subscription_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["api_callback.id"],
            name=op.f("fk_case_subscription_callback_id_api_callback"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_subscription")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["api_callback.id"], name=op.f("fk_outbox_callback_id_api_callback")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_outbox_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index("ix_outbox_pending", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_case", "outbox", ["case_id", "id"])
    op.create_index("ix_outbox_feed", "outbox", ["api_key_id", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("case_subscription")
    op.drop_table("api_callback")
