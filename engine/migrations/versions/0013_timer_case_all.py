"""timers by case: the case index holds fired timers too

Revision ID: 0013_timer_case_all
Revises: 0003_timers

Resuming a suspended case and extending a deadline read which of the case's stages already
fired (a stage fires at most once per deadline, engine.pauses), from the fired timers kept in
the table: with `ix_timer_case` partial on pending timers that read scanned the whole table
(about 0.1 s on PostgreSQL at a million fired timers). The index now holds every timer of the
case. Marking a timer fired leaves its entry in place on SQLite (case_id does not change) and
adds one on PostgreSQL, where the update could not be a HOT update anyway (fired_at is in the
other indexes' predicates); cancelling a case's pending timers reads the few timers of the case.
"""

from alembic import op

revision = "0013_timer_case_all"
down_revision = "0003_timers"
branch_labels = None
depends_on = None

PENDING = "fired_at IS NULL"


def upgrade() -> None:
    op.drop_index("ix_timer_case", table_name="timer")
    op.create_index("ix_timer_case", "timer", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_timer_case", table_name="timer")
    op.create_index(
        "ix_timer_case", "timer", ["case_id"], postgresql_where=PENDING, sqlite_where=PENDING
    )
