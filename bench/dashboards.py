"""Dashboards benchmark: `python -m bench.dashboards [--database URL] [--cases N]`.

Loads N synthetic cases into one county (COPY on PostgreSQL, multi-row inserts on SQLite;
default 1,000,000 on PostgreSQL, 100,000 on SQLite; reused when already there), then times a
county leader's monthly dashboard (all figures, roll-up by town, a breakdown, the daily trend,
HTML rendered), a town leader's, the monthly meeting report, a drill-down page and a CSV
ledger. Medians of several runs, next to a same-run baseline: one plain indexed COUNT of the
month's received cases, the least any dashboard must do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text

from admin.dashboards import pages, views
from admin.dashboards.render import render_html
from admin.dashboards.viewer import Viewer
from bench import dashboard_data as data
from engine import schema
from engine.db import make_engine
from engine.registry import County as CountyRow
from engine.registry import DefinitionVersion
from engine.reports import figures, ledgers, lists
from engine.reports.cohorts import Context
from engine.reports.lists import Selection
from engine.reports.periods import month_of
from engine.reports.scope import Scope, subtree
from engine.tables import Case, CaseParty, Ticket

MONTH = month_of(date(2026, 10, 1))  # the last full month of the synthetic data
CASE_COLUMNS = [c.name for c in Case.__table__.c]
# parties and tickets take their ids from their sequences: other rows may already be there
PARTY_COLUMNS = [c.name for c in CaseParty.__table__.c if c.name != "id"]
TICKET_COLUMNS = [c.name for c in Ticket.__table__.c if c.name != "id"]


@dataclass
class Admin:
    display_name: str = "基准县主任"


def _county_ids(db: Engine) -> tuple[int, int]:
    with db.begin() as conn:
        county_id = conn.execute(select(CountyRow.id).where(CountyRow.code == data.KEY)).scalar()
        if county_id is None:
            county_id = conn.execute(
                insert(CountyRow).returning(CountyRow.id), {"code": data.KEY, "name": "基准县"}
            ).scalar_one()
        version_id = conn.execute(
            select(DefinitionVersion.id).where(DefinitionVersion.county_id == county_id)
        ).scalar()
        if version_id is None:
            version_id = conn.execute(
                insert(DefinitionVersion).returning(DefinitionVersion.id),
                {
                    "county_id": county_id,
                    "number": 1,
                    "content_hash": "bench",
                    "files": {},
                    "published_by": "bench",
                },
            ).scalar_one()
    return int(county_id), int(version_id)


def _clear(db: Engine, county_id: int) -> None:
    with db.begin() as conn:
        ids = select(Case.id).where(Case.county_id == county_id)
        conn.execute(delete(Ticket).where(Ticket.county_id == county_id))
        conn.execute(delete(CaseParty).where(CaseParty.case_id.in_(ids)))
        conn.execute(delete(Case).where(Case.county_id == county_id))


def _copy_value(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value) if isinstance(value, dict) else value


def _load_postgres(db: Engine, rows: Callable[[], Any]) -> None:
    """COPY each table in turn; the generator is deterministic, so it is replayed per table
    instead of holding a million rows in memory; columns it does not know are left NULL."""
    raw = db.raw_connection()
    try:
        cursor = raw.cursor()
        for table, columns, position in (
            ("case", CASE_COLUMNS, 0),
            ("case_party", PARTY_COLUMNS, 1),
            ("ticket", TICKET_COLUMNS, 2),
        ):
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for triple in rows():
                    row = triple[position]
                    copy.write_row([_copy_value(row.get(c)) for c in columns])
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('\"case\"', 'id'), "
            '(SELECT max(id) FROM "case"))'
        )
        raw.commit()
        # what autovacuum would do on a live server: statistics and the visibility map
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True
        for table in ('"case"', "case_party", "ticket"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        raw.close()


def _load_sqlite(db: Engine, rows: Callable[[], Any], batch: int = 5000) -> None:
    chunk: list[Any] = []

    def flush() -> None:
        with db.begin() as conn:
            conn.execute(insert(Case), [c for c, _, _ in chunk])
            conn.execute(insert(CaseParty), [p for _, p, _ in chunk])
            conn.execute(insert(Ticket), [t for _, _, t in chunk])
        chunk.clear()

    for triple in rows():
        chunk.append(triple)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    with db.begin() as conn:
        conn.execute(text("ANALYZE"))


def ensure_loaded(db: Engine, n: int, reload: bool) -> int:
    county_id, version_id = _county_ids(db)
    with db.connect() as conn:
        have = conn.execute(
            select(func.count()).select_from(Case).where(Case.county_id == county_id)
        ).scalar_one()
        first = int(conn.execute(select(func.coalesce(func.max(Case.id), 0))).scalar_one()) + 1
    if have == n and not reload:
        print(f"reusing {have:,} cases already loaded in county {data.KEY}")
        return county_id
    _clear(db, county_id)
    started = time.perf_counter()

    def rows() -> Any:
        return data.cases(n, county_id, version_id, first)

    if db.dialect.name == "postgresql":
        _load_postgres(db, rows)
    else:
        _load_sqlite(db, rows)
    print(f"loaded {n:,} cases (+ parties, tickets) in {time.perf_counter() - started:.1f} s")
    return county_id


@dataclass(frozen=True)
class Timing:
    first: float  # the first render: nothing of it cached in this process
    wall: float  # median of the runs after it
    cpu: float  # median CPU time of this process (Python + SQLite; not PostgreSQL's own)


def timed(fn: Callable[[], object], runs: int) -> Timing:
    """The first (cold) run, then the median wall and CPU time of `runs` more. On a shared,
    busy machine the CPU time says what the code costs when wall time is inflated by waiting
    for a core. Nothing in the dashboards caches figures between renders, so the first run
    differs from the others only by the database's own caches and compiled statements."""
    started = time.perf_counter()
    fn()
    first = time.perf_counter() - started
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return Timing(first, statistics.median(walls), statistics.median(cpus))


def _page(viewer: Viewer, template: str, values: dict[str, Any]) -> str:
    base = {"request": None, "user": Admin(), "csrf_token": "", "nav": (), "path": "/dashboards/"}
    return render_html(template, {**base, **views._common(viewer), **values})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:////tmp/yidi-bench-dashboards.db")
    parser.add_argument("--cases", type=int, default=0, help="default 1,000,000 (PG) / 100,000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--reload", action="store_true", help="load the cases again (default: reuse them)"
    )
    args = parser.parse_args()
    db = make_engine(args.database)
    postgres = db.dialect.name == "postgresql"
    n = args.cases or (1_000_000 if postgres else 100_000)
    schema.upgrade(db)
    county_id = ensure_loaded(db, n, args.reload)
    model = data.county()
    whole = Scope(model, frozenset(model.centers))
    town = Scope(model, subtree(model, data.TOWNS[3]))
    leader = Viewer(Admin(), db, Context(county_id, MONTH, whole), {"period": "month"})
    town_leader = Viewer(Admin(), db, Context(county_id, MONTH, town), {"period": "month"})

    def dashboard(v: Viewer) -> Callable[[], str]:
        def run() -> str:
            with db.connect() as conn:
                values = pages.dashboard(conn, v, "category")
            return _page(v, "dashboard.html", {**values, "title": "统计看板"})

        return run

    def monthly() -> str:
        with db.connect() as conn:
            values = pages.meeting(conn, leader, "monthly")
        return _page(leader, "meeting.html", {**values, "title": "月分析", "kind": "monthly"})

    def drill() -> int:
        with db.connect() as conn:
            sel = Selection("on_time", "den")
            return lists.count(conn, leader.ctx, sel) + len(
                list(lists.rows(conn, leader.ctx, sel, limit=50))
            )

    def ledger() -> bytes:
        with db.connect() as conn:
            sel = Selection("resolution", "num")
            return ledgers.to_csv(lists.columns_for(sel), lists.rows(conn, leader.ctx, sel))

    def baseline() -> int:
        with db.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(Case)
                    .where(
                        Case.county_id == county_id,
                        Case.received_at >= MONTH.start_utc,
                        Case.received_at < MONTH.end_utc,
                    )
                ).scalar_one()
            )

    base = timed(baseline, args.runs)
    with db.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Case)).scalar_one()
        month = figures.totals(conn, leader.ctx)
    print(f"database: {db.dialect.name}; cases in table: {total:,}; county {data.KEY}: {n:,}")
    print(
        f"month {MONTH.label}: received {month['received'].denominator:,}, "
        f"closed {month['closed'].denominator:,}, on-time {month['on_time'].display} "
        f"({month['on_time'].numerator:,}/{month['on_time'].denominator:,}), "
        f"ledger rows (resolved) {month['resolution'].numerator:,}"
    )
    print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':45s} {'first':>9s} {'median':>9s} {'cpu':>9s}   ratio to baseline median")
    print(
        f"{'baseline: plain COUNT of the month received':45s} {base.first * 1000:6.1f} ms"
        f" {base.wall * 1000:6.1f} ms {base.cpu * 1000:6.1f} ms"
    )
    for label, fn in (
        ("county monthly dashboard (figures+HTML)", dashboard(leader)),
        ("town leader's monthly dashboard", dashboard(town_leader)),
        ("monthly meeting report 月分析", monthly),
        ("drill-down page (count + 50 rows)", drill),
        ("CSV ledger of resolved cases", ledger),
    ):
        t = timed(fn, args.runs)
        print(
            f"{label:45s} {t.first * 1000:6.1f} ms {t.wall * 1000:6.1f} ms {t.cpu * 1000:6.1f} ms"
            f"   {t.wall / base.wall:6.1f}x"
        )
    html = dashboard(leader)()
    with db.connect() as conn:
        shown = pages.dashboard(conn, leader, "category")
    print(
        f"county dashboard: {len(shown['center_rows'])} rows by center (rolled up), "
        f"{len(shown['rows'])} by category, {len(shown['trend'])} days of trend; "
        f"HTML {len(html):,} characters"
    )
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
