"""Reading a ticket and its case (with the compiled model of the case's version) in a
transaction: the first step of every action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from dsl.model import County
from engine import driver, versions
from engine import statements as sql
from engine.errors import NotFound
from engine.tables import CASE, TICKET


@dataclass
class Loaded:
    ticket: dict[str, Any]
    case: dict[str, Any]
    county: County


def model_of(conn: Connection, version_id: int) -> County:
    digest = conn.execute(sql.VERSION_HASH, {"version_id": version_id}).scalar_one()
    return versions.model_of_version(conn, version_id, digest)


def case_by_id(conn: Connection, case_id: int) -> tuple[dict[str, Any], County]:
    """The case to change, locked for this transaction (see statements.CASE_BY_ID_LOCKED)."""
    row = driver.first(conn, sql.CASE_BY_ID_LOCKED, {"case_id": case_id})
    if row is None:
        raise NotFound("没有该案件")
    return _with_model(conn, row)


def case_if_free(conn: Connection, case_id: int) -> tuple[dict[str, Any], County] | None:
    """The case to change, locked, or None while another transaction holds it (PostgreSQL)."""
    row = driver.first(conn, sql.CASE_BY_ID_IF_FREE, {"case_id": case_id})
    if row is not None:
        return _with_model(conn, row)
    if driver.first(conn, sql.CASE_EXISTS, {"case_id": case_id}) is None:
        raise NotFound("没有该案件")
    return None


def _with_model(conn: Connection, case: dict[str, Any]) -> tuple[dict[str, Any], County]:
    digest = case.pop("version_hash")
    return case, versions.model_of_version(conn, int(case["version_id"]), digest)


def case_by_code(conn: Connection, code: str) -> tuple[dict[str, Any], County]:
    """The case to change, by its code, locked for this transaction."""
    row = driver.first(conn, sql.CASE_BY_CODE_LOCKED, {"code": code})
    if row is None:
        raise NotFound(f"没有编号为 {code} 的案件")
    return _with_model(conn, row)


# TICKET_WITH_CASE's columns in order: the ticket's, the case's, then the version hash; the
# row is split by position (cheaper than testing every key's prefix).
_TICKET_KEYS = tuple(c.name for c in TICKET.columns)
_CASE_KEYS = tuple(c.name for c in CASE.columns)
_SPLIT = len(_TICKET_KEYS)


def ticket(conn: Connection, ticket_id: int, *, lock: bool = True) -> Loaded:
    """The ticket with its case; the case locked unless `lock=False` (reads that change
    nothing, such as the actions a page offers)."""
    statement = sql.TICKET_WITH_CASE_LOCKED if lock else sql.TICKET_WITH_CASE
    rows = driver.tuples(conn, statement, {"ticket_id": ticket_id})
    if not rows:
        raise NotFound(f"没有编号为 {ticket_id} 的单")
    row = rows[0]
    ticket = dict(zip(_TICKET_KEYS, row[:_SPLIT], strict=True))
    case = dict(zip(_CASE_KEYS, row[_SPLIT:-1], strict=True))
    found = versions._MODELS.get(row[-1])
    county = found if found is not None else model_of(conn, int(case["version_id"]))
    return Loaded(ticket=ticket, case=case, county=county)
