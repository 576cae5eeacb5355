"""The SQL floor of bench.engine's chain: `python -m bench.engine_floor [--lean] [--database URL]`.

Records the statements one whole chain sends (intake + five tickets; `engine.driver.COUNT.log`,
split into transactions at each commit), then replays them chain after chain through the bare
driver connection on the same database: the same SQL, parameters, transactions and indexes,
with only the new case's and tickets' ids and a fresh case code put in, and none of the
engine's own work (definitions, routing, forms, calendar, events, views). Its rate is what
this database allows any engine that writes these rows one transaction per action; bench.engine
prints it beside the engine's figures, so the ratios' goals can be read against it.

`--lean` replays a thinner chain still: without the case read back after each action and
without the secondary indexes the dashboards, the citizen lookup and the supervision lists
read (only the primary keys, the inbox, the case's tickets, the timeline and the timers remain).
No engine could drop these and still serve those pages; it shows how far the floor moves.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as DbEngine
from sqlalchemy import event, text

from engine import driver

# Secondary indexes --lean drops: each serves a page, not the chain (see engine/tables.py).
LEAN_DROPS = (
    "ix_ticket_done",
    "ix_ticket_county_completed",
    "ix_ticket_supervision",
    "ix_case_center_status",
    "ix_case_county_received",
    "ix_case_county_status_due",
    "ix_case_county_closed_status",
    "ix_case_supervised",
    "ix_case_party_name",
    "ix_case_party_phone",
)
READ_BACK = "SELECT 0 AS view_kind"  # the case view read after each action (engine.queries)
# Parameters that carry the chain's case or ticket id: `*_id` columns and `where_case` /
# `where_ticket` keys (engine.statements); the county and version stay the same.
KEPT_IDS = ("county_id", "version_id")


@dataclass(frozen=True)
class Chain:
    """One chain's statements by transaction, and the ids it created (to be replaced)."""

    transactions: list[list[driver.Sent]]
    case_id: int
    ticket_ids: list[int]


def record_chain(db: DbEngine, run_chain: Callable[[], None]) -> Chain:
    transactions: list[list[driver.Sent]] = [[]]
    sent: list[driver.Sent] = []

    def on_commit(*_args: object) -> None:
        transactions[-1].extend(sent)
        sent.clear()
        transactions.append([])

    event.listen(db, "commit", on_commit)
    driver.COUNT.log = sent
    try:
        run_chain()
    finally:
        driver.COUNT.log = None
        event.remove(db, "commit", on_commit)
    with db.connect() as conn:  # the bench runs alone: its chain made the newest case
        case_id = conn.execute(text('SELECT max(id) FROM "case"')).scalar_one()
        tickets = conn.execute(
            text("SELECT id FROM ticket WHERE case_id = :case ORDER BY id"), {"case": case_id}
        )
        ticket_ids = list(tickets.scalars())
    return Chain([t for t in transactions if t], case_id, ticket_ids)


def lean(chain: Chain) -> Chain:
    kept = [[s for s in t if not s.prepared.sql.startswith(READ_BACK)] for t in chain.transactions]
    return Chain(kept, chain.case_id, chain.ticket_ids)


def drop_lean_indexes(db: DbEngine) -> None:
    with db.begin() as conn:
        for name in LEAN_DROPS:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def _remap(sent: driver.Sent, ids: dict[int, int], code: str) -> Any:
    names = sent.prepared.names

    def new(name: str, value: Any) -> Any:
        if name == "code":
            return code
        if type(value) is int and value in ids and ("id" in name or name.startswith("where_")):
            return value if name.startswith(KEPT_IDS) else ids[value]
        return value

    def one(row: Any) -> Any:
        if isinstance(row, dict):  # psycopg: named parameters
            return {name: new(name, value) for name, value in row.items()}
        return [new(name, value) for name, value in zip(names, row, strict=True)]

    if sent.many:
        return [one(row) for row in sent.parameters]
    return one(sent.parameters)


def _replay_one(cursor: Any, dbapi: Any, sqlite: bool, chain: Chain, code: str) -> None:
    ids: dict[int, int] = {}
    tickets: Iterator[int] = iter(chain.ticket_ids)
    for transaction in chain.transactions:
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for sent in transaction:
            sql = sent.prepared.sql
            parameters = _remap(sent, ids, code)
            if sent.many:
                cursor.executemany(sql, parameters)
                continue
            cursor.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            if sql.startswith(('INSERT INTO "case"', "INSERT INTO ticket")):
                new = rows[0][0] if rows else cursor.lastrowid
                old = chain.case_id if sql.startswith('INSERT INTO "case"') else next(tickets)
                ids[old] = new
        if sqlite:
            cursor.execute("COMMIT")
        else:
            dbapi.commit()


def replay(db: DbEngine, chain: Chain, cases: int, runs: int) -> float:
    """Median chains per second, replayed through the bare driver connection."""
    pooled = db.raw_connection()
    dbapi: Any = pooled.dbapi_connection
    sqlite = db.dialect.name == "sqlite"
    if not sqlite:
        dbapi.autocommit = False
    cursor = dbapi.cursor()
    rates = []
    try:
        serial = time.time_ns()  # case codes unique in this database across runs
        for run in range(runs):
            started = time.perf_counter()
            for index in range(cases):
                _replay_one(cursor, dbapi, sqlite, chain, f"FLOOR-{serial}-{run}-{index}")
            rates.append(cases / (time.perf_counter() - started))
    finally:
        cursor.close()
        pooled.close()
    return statistics.median(rates)


def main() -> None:
    from bench.engine import fresh_database, one_case, warmed_engine

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="chains per run (five runs)")
    parser.add_argument("--lean", action="store_true", help="also replay the lean chain")
    parser.add_argument("--database", help="PostgreSQL URL to spend (default: SQLite WAL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_database(args.database, Path(folder))
        try:
            wf = warmed_engine(db)
            chain = record_chain(db, lambda: one_case(wf, 10**6))
            print(f"# database: {db.dialect.name}; {args.cases} chains x 5 runs (medians)")
            print(f"sql_floor_cases_per_s: {replay(db, chain, args.cases, 5):.1f}")
            if args.lean:
                drop_lean_indexes(db)
                print(f"lean_floor_cases_per_s: {replay(db, lean(chain), args.cases, 5):.1f}")
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
