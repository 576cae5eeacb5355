"""Exactly once, as deployed: two `yidi worker` processes polling the same database at once
open each screening round's tasks once, one per unit (PostgreSQL: they really run in parallel;
SQLite: they queue on the write lock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from engine import periods, screening
from engine.calendar import calendar_for
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.scheduler import JOB_RUN
from tests.prevention.rugao import ROOT, publish

LIVENESS = 240.0  # fresh interpreters on a loaded two-core machine: a bound, not a speed check


def expected_tasks(model: object, now: datetime) -> Counter[str]:
    found: Counter[str] = Counter()
    for item in model.screenings.values():  # type: ignore[attr-defined]
        period = periods.containing(item.cadence, now)
        resting = item.cadence == "day" and not calendar_for(model, item.calendar).is_workday(  # type: ignore[arg-type]
            period.first
        )
        if not resting:
            found[f"{item.key} {period.key}"] = len(screening.units(model, item))  # type: ignore[arg-type]
    return found


def opened(db: Engine) -> tuple[Counter[str], int]:
    with db.connect() as conn:
        rows = conn.execute(select(TASK.c.screening, TASK.c.period, TASK.c.center)).all()
    units = {(s, p, c) for s, p, c in rows}
    return Counter(f"{s} {p}" for s, p, _ in rows), len(rows) - len(units)


def rounds_run(db: Engine) -> list[tuple[str, str, str]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(JOB_RUN.c.job, JOB_RUN.c.period, JOB_RUN.c.status).where(
                JOB_RUN.c.job.like("排查:%")
            )
        ).all()
    return sorted((str(j), str(p), str(s)) for j, p, s in rows)


@pytest.mark.slow
def test_two_yidi_workers_open_each_round_once(db: Engine, db_url: str, tmp_path: Path) -> None:
    model = publish(db)
    expected = expected_tasks(model, datetime.now(UTC))
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "test-secret",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", "import server, sys; sys.exit(server.main())"]
    workers = [
        subprocess.Popen(
            [*command, "worker", "--poll", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + LIVENESS
        want = len(model.screenings)
        while len({job for job, _, _ in rounds_run(db)}) < want and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2.0)  # both keep polling: a second opening would show now
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=60) for proc in workers]
    assert [p.returncode for p in workers] == [0, 0], outputs
    runs = rounds_run(db)
    assert len({job for job, _, _ in runs}) == want and {status for _, _, status in runs} == {
        "done"
    }, runs
    counts, duplicates = opened(db)
    assert duplicates == 0
    # every unit of every round due when the workers started, once (a round that began while
    # they ran, at local midnight, would be a later period's: it is left out of the check)
    assert {key: counts[key] for key in expected} == expected
    assert sum(expected.values()) > 0
