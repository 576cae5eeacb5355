"""events are append-only: the database refuses to change or delete an audit event

Revision ID: 0012_event_append_only
Revises: 0011_inbox_role

The case timeline is read from `event`, and an audit that the application merely promises not
to rewrite is not an audit: a trigger on each backend refuses every UPDATE and DELETE of an
event row, whatever program sends it. (PostgreSQL's TRUNCATE, which fires no row triggers, stays
possible for whoever owns the table: the test suite empties its database that way.)
"""

from alembic import op

revision = "0012_event_append_only"
down_revision = "0011_inbox_role"
branch_labels = None
depends_on = None

MESSAGE = "审计事件只能追加，不能修改或删除"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for change in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_append_only_{change.lower()} BEFORE {change} ON event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event "
        "FOR EACH ROW EXECUTE FUNCTION event_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for change in ("update", "delete"):
            op.execute(f"DROP TRIGGER event_append_only_{change}")
        return
    op.execute("DROP TRIGGER event_append_only ON event")
    op.execute("DROP FUNCTION event_append_only()")
