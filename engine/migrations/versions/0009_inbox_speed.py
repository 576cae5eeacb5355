"""inbox speed: change stamps that let web workers cache signed-in users safely

Revision ID: 0009_inbox_speed
Revises: 0002_engine, 0005_accounts (its triggers watch tables of both)

`change_stamp` holds one counter per topic. Database triggers bump the 'accounts' counter on
every change to an account or a membership and the 'definitions' counter on every published
version, whichever process or tool makes the change, so a web worker can keep signed-in users
in memory and check one tiny row per request instead of reloading them: a deactivated user,
a logout elsewhere or changed memberships take effect on the very next request.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_inbox_speed"
# Joins the engine's and the accounts' branches: the triggers need tables of both.
down_revision = ("0002_engine", "0005_accounts")
branch_labels = None
depends_on = None

# (table, topic, what fires it). Failed-login counters and lockouts do not change what a
# signed-in user may see, so they leave the stamp alone (a password guesser cannot empty caches).
USER_COLUMNS = "active, session_epoch, is_admin, county, username, display_name"
WATCHED = (
    ("user_account", "accounts", "INSERT"),
    ("user_account", "accounts", "DELETE"),
    ("user_account", "accounts", f"UPDATE OF {USER_COLUMNS}"),
    ("membership", "accounts", "INSERT"),
    ("membership", "accounts", "DELETE"),
    ("membership", "accounts", "UPDATE"),
    ("definition_version", "definitions", "INSERT"),
    ("definition_version", "definitions", "DELETE"),
    ("definition_version", "definitions", "UPDATE"),
)


def _name(table: str, event: str) -> str:
    return f"stamp_{table}_{event.split()[0].lower()}"


def upgrade() -> None:
    # The inbox's 督办 tab starts from supervision tickets and supervised cases: few rows, so
    # partial indexes that cost nothing to the other tickets' and cases' writes.
    op.create_index(
        "ix_ticket_supervision",
        "ticket",
        ["county_id", "state"],
        sqlite_where=sa.text("kind = 'supervision'"),
        postgresql_where=sa.text("kind = 'supervision'"),
    )
    op.create_index(
        "ix_case_supervised",
        "case",
        ["county_id"],
        sqlite_where=sa.text("supervised = 1"),
        postgresql_where=sa.text("supervised"),
    )
    op.create_table(
        "change_stamp",
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_change_stamp")),
    )
    op.execute("INSERT INTO change_stamp (topic, value) VALUES ('accounts', 1), ('definitions', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION bump_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO change_stamp (topic, value) VALUES (TG_ARGV[0], 1)
                ON CONFLICT (topic) DO UPDATE SET value = change_stamp.value + 1;
                RETURN NULL;
            END $$
            """
        )
        for table, topic, event in WATCHED:
            op.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION bump_change_stamp('{topic}')"
            )
        return
    for table, topic, event in WATCHED:
        # The row may be gone (a test emptied every table): put it back, then count.
        op.execute(
            f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} BEGIN "
            f"INSERT OR IGNORE INTO change_stamp (topic, value) VALUES ('{topic}', 0); "
            f"UPDATE change_stamp SET value = value + 1 WHERE topic = '{topic}'; END"
        )


def downgrade() -> None:
    for table, _topic, event in WATCHED:
        op.execute(
            f"DROP TRIGGER IF EXISTS {_name(table, event)}"
            + (f" ON {table}" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bump_change_stamp()")
    op.drop_table("change_stamp")
    op.drop_index("ix_case_supervised", table_name="case")
    op.drop_index("ix_ticket_supervision", table_name="ticket")
