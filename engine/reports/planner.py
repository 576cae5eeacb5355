"""Planner settings for report queries on PostgreSQL, set for the reading transaction only.

Report queries join a month of rows (tens of thousands) to their cases by primary key and
build repeat sets in subqueries. With PostgreSQL's defaults two things go wrong on a
database that sits in memory, as a county's does:

- `random_page_cost = 4` prices an index probe as if it went to a spinning disk, so joining
  a month of acceptance tickets to their cases reads all cases instead (400 ms instead of
  80 ms on a million cases); 1.1 is the usual value for SSDs and cached data;
- JIT compilation starts above a cost these queries reach, and compiling costs more
  (~100 ms per query) than it saves on a few tens of thousands of rows.

`SET LOCAL` ends with the transaction, so nothing else on the connection is affected.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SETTINGS = ("SET LOCAL random_page_cost = 1.1", "SET LOCAL jit = off")


def settle(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for setting in SETTINGS:
            conn.execute(text(setting))
