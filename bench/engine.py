"""Engine benchmark: `python -m bench.engine [--quick] [--database URL]`.

Each case runs the five-ticket chain through the public `engine.cases.Engine` API: intake,
then 派单 (dispatch), 接单 (accept), 办理 (handle, with a small form and a severity-dependent
working-day deadline with stage timers), 评单 (party evaluation) and 核单 (verification) to
the end. One transaction per step, every step audited, the case view read back each time.

Printed (medians of several runs, same invocation, same machine):
  engine_cases_per_s     whole chains per second (intake + five tickets)
  engine_actions_per_s   tickets finished per second (five per case; intake time included)
  spiff_db_cases_per_s   the same chain in SpiffWorkflow (`db` mode of
                         ../shared/bench/spiff_baseline.py)
  ratio_vs_spiff         engine_cases_per_s / spiff_db_cases_per_s (goal >= 5)
  spiff_pg_cases_per_s   (PostgreSQL only) the same SpiffWorkflow chain persisting to the same
                         PostgreSQL: its JSON and one event row per ticket, one transaction per
                         ticket (bench.spiff_pg)
  ratio_vs_spiff_pg      engine_cases_per_s / spiff_pg_cases_per_s: like against like (goal >= 2)
  raw_txn_per_s          the same database doing one UPDATE + one INSERT per transaction, through
                         the bare driver, as many transactions as the engine ran actions
  ratio_vs_raw           engine_actions_per_s / raw_txn_per_s (goal >= 0.2)
  sql_floor_cases_per_s  the chain's own statements replayed through the bare driver, without
                         the engine's code (bench.engine_floor): what this database allows
  floor_ratio_vs_spiff   sql_floor_cases_per_s / spiff_db_cases_per_s: the ceiling of
                         ratio_vs_spiff for any engine writing these rows
  floor_ratio_vs_raw     the same ceiling for ratio_vs_raw (five actions per chain)
  engine_share_of_floor  engine_cases_per_s / sql_floor_cases_per_s
  timer_fire_s           bench.timers: find and fire 10,000 due timers among 1,000,000 (full run)
  peak_rss_mb            this process's peak resident memory
  statements_per_case    SQL statements one whole chain sends (BEGIN and COMMIT not counted;
                         on PostgreSQL each is a round trip), counted on one extra case
  commits_per_case       transactions per chain (intake + five tickets: one per user action)
  round_trips_per_case   round trips of one chain, counted (bench.roundtrips): on PostgreSQL the
                         turns on the wire through a counting relay (pre-ping, BEGIN, statements,
                         COMMIT, the case view read back); on SQLite the calls into the library
  round_trips_per_action round_trips_per_case / commits_per_case (one action per transaction)
  today_*                (PostgreSQL) the same figures on today's path (YIDI_PG_PIPELINE=0: no
                         pipeline, pool pre-ping), measured in the same run, runs alternating
  speedup_vs_today       engine_cases_per_s / today_cases_per_s
  *_client_cpu_ms_per_case  CPU time of this process per chain (PostgreSQL, both paths): on a
                         loaded machine wall time hides what a round trip saved; this does not
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine as DbEngine
from sqlalchemy import text

from bench.engine_floor import record_chain, replay
from engine import pipeline, schema, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.db import make_engine
from tests.engine.counties import MONDAY, make_county, person

# ../shared next to the checkout (/work/main -> /work/shared), or beside the worktrees' folder
SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents[2:4] if (p / "shared").is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)
SPIFF = SHARED / "bench" / "spiff_baseline.py"
DISPATCHER = person("bench", "dispatcher", ("城关镇/东门村", "调度员", None))
MEDIATOR = person("bench", "mediator", ("城关镇/东门村", "调解员", "人民调解委员会"))
VISITOR = person("bench", "visitor", ("县中心", "回访员", None))


def fresh_database(url: str | None, folder: Path) -> DbEngine:
    if url is None:
        db = make_engine(f"sqlite:///{folder / 'bench-engine.db'}")
    else:
        db = make_engine(url)
        with db.begin() as conn:  # the benchmark database is the caller's to spend
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    versions.publish(db, make_county("bench", prefix="BM"), by="bench")
    return db


def one_case(wf: Engine, index: int) -> None:
    severity = "较大" if index % 2 else "一般"
    view = wf.receive(
        "bench",
        "bench",
        channel="来访",
        category="邻里纠纷",
        severity=severity,
        location="城关镇/东门村",
        parties=[{"name": f"当事人{index}", "phone": "13800001234"}],
        data={"事由": "邻里纠纷"},
    )
    view = wf.act(DISPATCHER, view.tickets[-1].id, "派单", {})
    view = wf.act(MEDIATOR, view.tickets[-1].id, "接单", {})
    view = wf.act(MEDIATOR, view.tickets[-1].id, "调解成功", {"调解结果": "双方和解"})
    view = wf.evaluate(view.code, "满意")
    view = wf.act(VISITOR, view.tickets[-1].id, "核实", {})
    if view.status != "closed":
        raise RuntimeError(f"{view.code} did not close: {view.status} at {view.step}")


def warmed_engine(db: DbEngine, cases: int = 50) -> Engine:
    """The engine on a fresh bench database, after `cases` chains (forms, calendars, prepared
    statements and the database's pages warm): what bench.engine_profile and engine_floor use."""
    wf = Engine(db, ManualClock(MONDAY))
    for index in range(cases):
        one_case(wf, index)
    return wf


def measure_engine(db: DbEngine, cases: int, runs: int) -> float:
    return measure_paths({"engine": db}, cases, runs)["engine"]


@contextmanager
def path(today: bool) -> Iterator[None]:
    """Today's path (YIDI_PG_PIPELINE=0: one round trip per statement, pre-ping) or the
    pipelined one (engine.pipeline) while the block runs: engines made and transactions run
    inside it follow it."""
    before = os.environ.get(pipeline.SWITCH)
    os.environ[pipeline.SWITCH] = "0" if today else "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[pipeline.SWITCH]
        else:
            os.environ[pipeline.SWITCH] = before


def measure_paths(dbs: dict[str, DbEngine], cases: int, runs: int) -> dict[str, float]:
    """Median cases/s of each engine ("today": today's path); their runs alternate, so that
    a change in the machine's load falls on both alike."""
    engines = {name: Engine(db, ManualClock(MONDAY)) for name, db in dbs.items()}
    for name, wf in engines.items():
        with path(name == "today"):
            one_case(wf, 0)  # warm caches (forms, calendars, statements)
    rates: dict[str, list[float]] = {name: [] for name in engines}
    cpu: dict[str, list[float]] = {name: [] for name in engines}
    for run in range(runs):
        for n, (name, wf) in enumerate(engines.items()):
            with path(name == "today"):
                started, cpu_started = time.perf_counter(), time.process_time()
                for index in range(cases):
                    one_case(wf, (run * len(engines) + n) * cases + index + 1)
                rates[name].append(cases / (time.perf_counter() - started))
                cpu[name].append((time.process_time() - cpu_started) * 1000 / cases)
    found = {name: statistics.median(values) for name, values in rates.items()}
    for name, values in cpu.items():  # this process's CPU: what a loaded machine cannot hide
        found[f"{name}_client_cpu_ms_per_case"] = statistics.median(values)
    return found


def count_round_trips(db: DbEngine, url: str | None) -> int:
    """Round trips of one whole chain, counted (bench.roundtrips): on PostgreSQL the turns of
    the conversation on the wire, through a counting relay; on SQLite the statements the
    library runs (BEGIN and COMMIT included). One chain is run first on the same connection
    so that caches and prepared statements are as warm as in the timed runs."""
    from bench import roundtrips

    if url is None:
        wf = Engine(db, ManualClock(MONDAY))
        one_case(wf, 3 * 10**6)
        with roundtrips.sqlite_calls(db) as seen:
            one_case(wf, 3 * 10**6 + 1)
        return seen["calls"]
    relay = roundtrips.TurnCounter(*roundtrips.target_of(url))
    counted = make_engine(relay.url(url), pool_size=1)
    try:
        wf = Engine(counted, ManualClock(MONDAY))
        one_case(wf, 3 * 10**6)
        before = relay.turns
        one_case(wf, 3 * 10**6 + 1)
        return relay.turns - before
    finally:
        counted.dispose()
        relay.close()


def count_statements(db: DbEngine) -> tuple[int, int]:
    """(statements, commits) of one chain: SQLAlchemy's executions plus those engine.driver
    sends on the driver cursor (BEGIN and COMMIT are not statements here)."""
    from sqlalchemy import event

    from engine import driver

    wf = Engine(db, ManualClock(MONDAY))
    seen = {"statements": 0, "commits": 0}

    def on_execute(*_args: object) -> None:
        seen["statements"] += 1

    def on_commit(*_args: object) -> None:
        seen["commits"] += 1

    event.listen(db, "before_cursor_execute", on_execute)
    event.listen(db, "commit", on_commit)
    before = driver.COUNT.sent
    try:
        one_case(wf, 10**6)
    finally:
        event.remove(db, "before_cursor_execute", on_execute)
        event.remove(db, "commit", on_commit)
    return seen["statements"] + driver.COUNT.sent - before, seen["commits"]


def measure_raw(db: DbEngine, transactions: int, runs: int) -> float:
    """One UPDATE and one INSERT per transaction, through the bare driver (no SQLAlchemy)."""
    with db.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, n INTEGER)")
        )
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_raw_log (id INTEGER, at TEXT)"))
        conn.execute(text("DELETE FROM bench_raw"))
        conn.execute(text("INSERT INTO bench_raw (id, n) VALUES (1, 0)"))
    raw = db.raw_connection()
    mark = "?" if db.dialect.name == "sqlite" else "%s"
    rates = []
    try:
        cursor = raw.cursor()
        for _ in range(runs):
            started = time.perf_counter()
            for i in range(transactions):
                if db.dialect.name == "sqlite":
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("UPDATE bench_raw SET n = n + 1 WHERE id = 1")
                cursor.execute(
                    f"INSERT INTO bench_raw_log (id, at) VALUES ({mark}, {mark})", (i, "now")
                )
                raw.commit() if db.dialect.name != "sqlite" else cursor.execute("COMMIT")
            rates.append(transactions / (time.perf_counter() - started))
    finally:
        raw.close()
    return statistics.median(rates)


def measure_spiff(cases: int, runs: int) -> float | None:
    if not SPIFF.exists():
        print(f"# SpiffWorkflow baseline not found at {SPIFF}", file=sys.stderr)
        return None
    done = subprocess.run(
        [sys.executable, str(SPIFF), "db", str(cases), str(runs)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("spiff_db_cases_per_s:"):
            return float(line.split(":", 1)[1])
    print(f"# SpiffWorkflow baseline failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer cases and runs (under a minute)"
    )
    parser.add_argument(
        "--database", help="PostgreSQL URL to spend on the benchmark (default: SQLite WAL)"
    )
    parser.add_argument(
        "--clients",
        help="PostgreSQL concurrency curve instead: client counts, e.g. 1,2,4,8",
    )
    args = parser.parse_args()
    if args.clients:
        if not args.database:
            parser.error("--clients needs --database postgresql://...")
        from bench import engine_curve

        engine_curve.run(args.database, [int(n) for n in args.clients.split(",")], args.quick)
        return
    cases, runs = (60, 3) if args.quick else (300, 5)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_database(args.database, Path(folder))
        try:
            print(
                f"# database: {db.dialect.name}; {cases} cases x {runs} runs (medians);"
                f" load average {os.getloadavg()[0]:.1f} at the start"
            )
            if args.database:
                with path(today=True):
                    today = make_engine(args.database)
                rates = measure_paths({"engine": db, "today": today}, cases, runs)
                figures["engine_cases_per_s"] = rates["engine"]
                figures["today_cases_per_s"] = rates["today"]
                figures["speedup_vs_today"] = rates["engine"] / rates["today"]
                for name in ("engine", "today"):
                    key = f"{name}_client_cpu_ms_per_case"
                    figures[key] = rates[key]
            else:
                figures["engine_cases_per_s"] = measure_engine(db, cases, runs)
            figures["engine_actions_per_s"] = figures["engine_cases_per_s"] * 5
            spiff = measure_spiff(cases, runs)
            if spiff:
                figures["spiff_db_cases_per_s"] = spiff
                figures["ratio_vs_spiff"] = figures["engine_cases_per_s"] / spiff
            if args.database and SPIFF.exists():
                from bench.spiff_pg import measure as measure_spiff_pg

                peer = measure_spiff_pg(SPIFF, args.database, cases, runs)
                figures["spiff_pg_cases_per_s"] = peer
                figures["ratio_vs_spiff_pg"] = figures["engine_cases_per_s"] / peer
            statements, commits = count_statements(db)
            trips = count_round_trips(db, args.database)
            if args.database:
                with path(today=True):
                    trips_today = count_round_trips(today, args.database)
                today.dispose()
            wf = Engine(db, ManualClock(MONDAY))
            chain = record_chain(db, lambda: one_case(wf, 2 * 10**6))
            figures["sql_floor_cases_per_s"] = replay(db, chain, cases, runs)
            figures["raw_txn_per_s"] = measure_raw(db, cases * 5, runs)
            figures["ratio_vs_raw"] = figures["engine_actions_per_s"] / figures["raw_txn_per_s"]
            floor = figures["sql_floor_cases_per_s"]
            if spiff:
                figures["floor_ratio_vs_spiff"] = floor / spiff
            figures["floor_ratio_vs_raw"] = floor * 5 / figures["raw_txn_per_s"]
            figures["engine_share_of_floor"] = figures["engine_cases_per_s"] / floor
            if not args.quick:
                from bench.timers import measure_timer_fire

                figures["timer_fire_s"] = measure_timer_fire(db)["timer_fire_s"]
        finally:
            db.dispose()
    figures["load_average_at_end"] = os.getloadavg()[0]
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["statements_per_case"] = statements
    figures["commits_per_case"] = commits
    figures["round_trips_per_case"] = trips
    figures["round_trips_per_action"] = trips / commits
    if args.database:
        figures["today_round_trips_per_action"] = trips_today / commits
    for name, value in figures.items():
        if isinstance(value, int):
            print(f"{name}: {value}")
        else:
            print(f"{name}: {value:.3f}" if value < 10 else f"{name}: {value:.1f}")


if __name__ == "__main__":
    main()
