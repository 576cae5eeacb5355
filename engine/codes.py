"""一案一码: `<prefix>-<year>-<6-digit sequence>`, unique under concurrent intake.

The sequence row is bumped with UPDATE ... RETURNING inside the intake transaction, so two
intakes serialise on that one row (PostgreSQL row lock, SQLite write lock) and never share a
number; the first intake of a year creates the row with INSERT ... ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from dsl.model import County
from engine.tables import SEQUENCE


def prefix(county: County) -> str:
    return county.code_prefix or county.key.upper()


def next_number(conn: Connection, county_id: int, year: int) -> int:
    from engine.statements import BUMP_SEQUENCE as bump

    where = {"county": county_id, "seq_year": year}
    from engine import driver

    number = driver.scalar(conn, bump, where)
    if number is not None:
        return int(number)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(SEQUENCE)
        .values(county_id=county_id, year=year, last=0)
        .on_conflict_do_nothing()
    )
    return int(conn.execute(bump, where).scalar_one())


def next_code(conn: Connection, county: County, county_id: int, year: int) -> str:
    return f"{prefix(county)}-{year}-{next_number(conn, county_id, year):06d}"
