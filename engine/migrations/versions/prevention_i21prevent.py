"""prevention (排查预警): screening tasks, correlated-warning hits and warnings, the risk
register (矛盾风险清单) and its history
(engine/prevention_tables.py)

Revision ID: prevention_i21prevent
Revises: 0001_foundation (depends on 0002_engine, which creates the case table)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "prevention_i21prevent"
down_revision = "0001_foundation"
branch_labels = None
depends_on = "0002_engine"

OPEN = sa.text("state = 'open'")
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "screening_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("screening", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_label", sa.String(length=40), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        _fk("screening_task", "county_id", "county"),
        _fk("screening_task", "case_id", "case"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_task")),
        sa.UniqueConstraint(
            "county_id",
            "screening",
            "period",
            "center",
            name=op.f("uq_screening_task_county_id_screening_period_center"),
        ),
    )
    op.create_index(
        "ix_screening_task_inbox", "screening_task", ["county_id", "state", "center", "role"]
    )
    op.create_index("ix_screening_task_due", "screening_task", ["county_id", "due_at"])
    op.create_table(
        "warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("cluster", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("center", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("sources", JSONType, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("warning", "county_id", "county"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    op.create_index(
        "ux_warning_open_cluster",
        "warning",
        ["county_id", "rule", "cluster"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_warning_inbox", "warning", ["county_id", "state", "center", "role"])
    op.create_index("ix_warning_opened", "warning", ["county_id", "opened_at"])
    op.create_table(
        "warning_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("cluster", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        _fk("warning_hit", "county_id", "county"),
        _fk("warning_hit", "case_id", "case"),
        _fk("warning_hit", "warning_id", "warning"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_hit")),
        sa.UniqueConstraint(
            "county_id",
            "rule",
            "cluster",
            "case_id",
            name=op.f("uq_warning_hit_county_id_rule_cluster_case_id"),
        ),
    )
    op.create_index(
        "ix_warning_hit_cluster", "warning_hit", ["county_id", "rule", "cluster", "seen_at"]
    )
    op.create_index("ix_warning_hit_case", "warning_hit", ["case_id"])
    op.create_table(
        "risk_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        _fk("risk_item", "county_id", "county"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_item")),
    )
    op.create_index("ix_risk_item_open", "risk_item", ["county_id", "state", "place"])
    op.create_table(
        "risk_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_grade", sa.String(length=20), nullable=True),
        sa.Column("to_grade", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _fk("risk_change", "risk_id", "risk_item"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_change")),
    )
    op.create_index("ix_risk_change_item", "risk_change", ["risk_id", "id"])


def downgrade() -> None:
    op.drop_table("risk_change")
    op.drop_table("risk_item")
    op.drop_table("warning_hit")
    op.drop_table("warning")
    op.drop_table("screening_task")
