"""Alembic environment: runs against the connection or URL handed over by engine.schema."""

from alembic import context

from engine.db import Base, make_engine

config = context.config
connection = config.attributes.get("connection")


def _run(conn):  # type: ignore[no-untyped-def]
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with make_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)
        conn.commit()
