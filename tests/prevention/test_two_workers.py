"""Exactly once, as deployed: two `yidi worker` processes polling the same database at once
open each screening round's tasks once, one per unit, on the round's own calendar (a make-up
working day today: the daily round opens; a local day off: it rests), and their daily pass
correlates yesterday's cases received before the warning rules were published. PostgreSQL:
the workers really run in parallel; SQLite: they queue on the write lock."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

import dsl
from dsl.model import County
from engine import periods, screening, versions
from engine.calendar import calendar_for
from engine.cases import Engine as Workflow
from engine.clock import CST, ManualClock
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.prevention_tables import WARNING
from engine.scheduler import JOB_RUN
from tests.prevention.rugao import KEY, ROOT, RUGAO, without_prevention

LIVENESS = 240.0  # fresh interpreters on a loaded two-core machine: a bound, not a speed check


def rugao_with_grid_calendar(folder: Path, today: str, statement: str) -> County:
    """如皋 whose daily round follows 网格日历, where today is `放假` or `调休上班`."""
    shutil.copytree(RUGAO, folder)
    text = (folder / "prevention.yd").read_text(encoding="utf-8")
    text = text.replace("  周期 每日\n", "  周期 每日\n  日历 网格日历\n", 1)
    text += f"\n日历 工作日\n日历 网格日历 {{\n  {statement} {today}\n}}\n"
    (folder / "prevention.yd").write_text(text, encoding="utf-8")
    model: County = dsl.compile_county(folder)
    return model


def expected_tasks(model: County, now: datetime) -> Counter[str]:
    found: Counter[str] = Counter()
    for item in model.screenings.values():
        period = periods.containing(item.cadence, now)
        workday = calendar_for(model, item.calendar).is_workday(period.first)
        if item.cadence != "day" or workday:
            found[f"{item.key} {period.key}"] = len(screening.units(model, item))
    return found


def opened(db: Engine) -> tuple[Counter[str], int]:
    with db.connect() as conn:
        rows = conn.execute(select(TASK.c.screening, TASK.c.period, TASK.c.center)).all()
    units = {(s, p, c) for s, p, c in rows}
    return Counter(f"{s} {p}" for s, p, _ in rows), len(rows) - len(units)


def runs(db: Engine) -> dict[str, list[tuple[str, str, str | None]]]:
    found: dict[str, list[tuple[str, str, str | None]]] = {}
    with db.connect() as conn:
        for job, period, status, result in conn.execute(
            select(JOB_RUN.c.job, JOB_RUN.c.period, JOB_RUN.c.status, JOB_RUN.c.result)
        ).all():
            found.setdefault(str(job), []).append((str(period), str(status), result))
    return found


def receive_yesterday(db: Engine, tmp_path: Path) -> None:
    """Five property disputes at one place yesterday, before the rules were published."""
    versions.publish(db, without_prevention(tmp_path / "before"), by="测试")
    yesterday = (datetime.now(CST) - timedelta(days=1)).replace(hour=10, minute=0, second=0)
    wf = Workflow(db, ManualClock(yesterday.astimezone(UTC)))
    for index, channel in enumerate(["12345", "12345", "网格", "12345", "网格"]):
        wf.receive(
            "测试",
            KEY,
            channel=channel,
            category="物业纠纷",
            severity="一般",
            location="东兴社区",
            parties=[{"name": f"业主{index}", "role": "申请人", "phone": f"1390000{index:04d}"}],
            data={
                "summary": "小区物业费上涨引发业主集体不满",
                "location": {"town": "如城街道", "village": "东兴社区"},
            },
            visits=0,
        )


def run_two_workers(db_url: str, tmp_path: Path, done: Any) -> list[tuple[str, str]]:
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
        while not done() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2.0)  # both keep polling: a second opening would show now
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=60) for proc in workers]
    assert [p.returncode for p in workers] == [0, 0], outputs
    return outputs


@pytest.mark.slow
@pytest.mark.parametrize("statement", ["调休上班", "放假"])
def test_two_yidi_workers_open_each_round_once(
    db: Engine, db_url: str, tmp_path: Path, statement: str
) -> None:
    receive_yesterday(db, tmp_path)
    today = datetime.now(CST).date().isoformat()
    model = rugao_with_grid_calendar(tmp_path / KEY, today, statement)
    versions.publish(db, model, by="测试")
    expected = expected_tasks(model, datetime.now(UTC))
    jobs = {f"排查:{key}" for key in model.screenings} | {"预警研判"}
    run_two_workers(db_url, tmp_path, lambda: jobs <= set(runs(db)))
    found = runs(db)
    for job in jobs:  # each job ran for its due period once (a round opened at local
        # midnight while they ran would be a later period's second row: not this one)
        assert found[job][0][1] == "done", found[job]
    counts, duplicates = opened(db)
    assert duplicates == 0
    assert {key: counts[key] for key in expected} == expected
    daily = f"网格日查 {today}"
    if statement == "调休上班":
        assert counts[daily] == 56
    else:
        assert daily not in counts
        assert (
            found["排查:网格日查"][0][2]
            == f"{periods.containing('day', datetime.now(UTC)).label}为休息日，不开排查任务"
        )
    assert counts["镇半月查 " + periods.containing("half_month", datetime.now(UTC)).key] == 14
    # the daily pass over yesterday's intake raised the warning the rule calls for, once
    with db.connect() as conn:
        warnings = conn.execute(select(WARNING.c.rule, WARNING.c.hits)).all()
    assert [tuple(w) for w in warnings] == [("同一线索五次", 5)]
