"""The SpiffWorkflow peer on PostgreSQL: `python -m bench.spiff_pg URL [CASES] [RUNS]`.

../shared/bench/spiff_baseline.py's `db` mode writes SpiffWorkflow's JSON to SQLite; the
engine's figures on PostgreSQL need the peer on the same server. This runs the same chain
(its BPMN, its per-ticket data, its serializer, imported from that file, which stays as it
is) and persists like its `db` mode, on PostgreSQL: the workflow's JSON inserted at intake,
then per ticket one transaction that updates the JSON and inserts one event row.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg


def load_baseline(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("spiff_baseline", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("DROP TABLE IF EXISTS spiff_event, spiff_workflow")
        conn.execute("CREATE TABLE spiff_workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        conn.execute(
            "CREATE TABLE spiff_event (id BIGSERIAL PRIMARY KEY, workflow_id INTEGER,"
            " ticket TEXT, at DOUBLE PRECISION)"
        )


def run_case(spiff: ModuleType, conn: psycopg.Connection[Any], i: int) -> None:
    wf = spiff.BpmnWorkflow(spiff.SPEC)
    wf.do_engine_steps()
    with conn.transaction():
        conn.execute(
            "INSERT INTO spiff_workflow (id, state) VALUES (%s, %s)",
            (i, spiff.SERIALIZER.serialize_json(wf)),
        )
    while not wf.is_completed():
        (task,) = wf.get_tasks(state=spiff.TaskState.READY, manual=True)
        task.data.update(spiff.TICKET_DATA[task.task_spec.name](i))
        task.run()
        wf.do_engine_steps()
        state = spiff.SERIALIZER.serialize_json(wf)
        with conn.transaction():  # one transaction per ticket, as the baseline's db mode
            conn.execute("UPDATE spiff_workflow SET state = %s WHERE id = %s", (state, i))
            conn.execute(
                "INSERT INTO spiff_event (workflow_id, ticket, at) VALUES (%s, %s, %s)",
                (i, task.task_spec.name, time.time()),
            )
    expected = 20 if i % 2 else 3
    assert wf.data["deadline_days"] == expected, wf.data


def measure(baseline: Path, url: str, cases: int, runs: int) -> float:
    """Median cases/s over `runs` runs after one warm-up run (as the baseline counts)."""
    spiff = load_baseline(baseline)
    rates = []
    with psycopg.connect(url, autocommit=True) as conn:
        _tables(conn)
        for run in range(runs + 1):
            started = time.perf_counter()
            for i in range(cases):
                run_case(spiff, conn, run * cases + i)
            if run:
                rates.append(cases / (time.perf_counter() - started))
        with conn.transaction():
            conn.execute("DROP TABLE spiff_event, spiff_workflow")
    return statistics.median(rates)


def main() -> None:
    from bench.engine import SPIFF

    url = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(f"spiff_pg_cases_per_s: {measure(SPIFF, url, cases, runs):.1f}")


if __name__ == "__main__":
    main()
