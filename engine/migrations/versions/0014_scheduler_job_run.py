"""scheduler: one row per periodic job run, unique per county, job and period

Revision ID: 0014_scheduler_job_run
Revises: 0001_foundation

Its own branch off the foundation (it references only the county table). The UNIQUE constraint
is the scheduler's exactly-once guarantee: a worker claims a run by inserting its row in the
same transaction as the job's work, so a second worker's insert conflicts (engine.scheduler).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_scheduler_job_run"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_job_run_county_id_county")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint(
            "county_id", "job", "period", name=op.f("uq_job_run_county_id_job_period")
        ),
    )
    # Each worker poll reads the runs of the periods due now.
    op.create_index("ix_job_run_period", "job_run", ["period"])


def downgrade() -> None:
    op.drop_table("job_run")
