"""Hot statements' SQL as SQLite plans it: a bound value compared with a partial index's
literal predicate makes SQLite prepare the statement again on every run, so such values are
written into the SQL."""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql, sqlite

from engine import driver
from engine import statements as sql


def test_the_open_evaluation_lookup_names_its_kind_literally() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        prepared = driver.prepare(dialect, sql.OPEN_EVALUATION, {"case_id"})
        assert "ticket.kind = 'evaluation'" in prepared.sql
        assert "case_id" in prepared.names and "kind" not in " ".join(prepared.names)


def test_no_hot_statement_binds_a_value_a_partial_index_predicate_names() -> None:
    # ix_ticket_supervision (kind = 'supervision') and ix_case_supervised (supervised = 1)
    bound = re.compile(r"\b(ticket\.kind|\"case\"\.supervised) = \?")
    hot = [
        value for name, value in vars(sql).items() if name.isupper() and hasattr(value, "compile")
    ]
    assert len(hot) > 10
    for statement in hot:
        text = str(statement.compile(dialect=sqlite.dialect()))
        where = text.split("WHERE", 1)[1] if "WHERE" in text else ""
        assert not bound.search(where), text
