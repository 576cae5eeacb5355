"""The append-only event log: every change writes one row (who, when, what, before, after).

Nothing in the engine updates or deletes `event` rows; the case timeline is read from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine import driver
from engine.statements import INSERT_EVENT


def jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Times as ISO text so that before/after survive JSON on both backends."""
    if values is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def row(
    *,
    county_id: int,
    case_id: int | None,
    at: datetime,
    actor: str,
    kind: str,
    ticket_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The event row as it will be inserted (times in before/after already as text)."""
    return {
        "county_id": county_id,
        "case_id": case_id,
        "ticket_id": ticket_id,
        "at": at,
        "actor": actor,
        "kind": kind,
        "before": jsonable(before),
        "after": jsonable(after),
        "note": note,
    }


def insert(conn: Connection, row: dict[str, Any]) -> None:
    driver.run(conn, INSERT_EVENT, row)


def record_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Rows from `row`, in order, in one statement (one round trip on PostgreSQL)."""
    driver.execute_many(conn, INSERT_EVENT, rows)
