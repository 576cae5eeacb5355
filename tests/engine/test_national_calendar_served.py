"""The national holiday table as deployed: `yidi calendar import` in one process, a running
`yidi serve` in another computes the next intake's deadline over the imported days, without a
restart (engine/national_calendar.py's per-transaction check).

The imported days are TEST DATA around today (测试假期), not any real schedule.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from admin.accounts import create_api_key
from engine.clock import CST
from engine.tables import CASE, TICKET
from tests.engine.test_worker import ROOT, terminate, wait_for, yidi
from tests.web.counties import intake_data, publish_xiaogan


def holiday_file(today: date) -> tuple[str, date]:
    """Today and every day up to the next Saturday off, that Saturday worked: (CSV, Saturday)."""
    saturday = today + timedelta(days=1)
    while saturday.isoweekday() != 6:
        saturday += timedelta(days=1)
    rows = ["年度,日期,类型,名称"]
    day = today
    while day < saturday:
        rows.append(f"{day.year},{day},放假,测试假期")
        day += timedelta(days=1)
    rows.append(f"{saturday.year},{saturday},上班,测试假期")
    return "\n".join(rows) + "\n", saturday


def dispatch_due(db: Engine, code: str) -> date:
    with db.connect() as conn:
        due: datetime = conn.execute(
            select(TICKET.c.due_at)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code, TICKET.c.step == "派单")
        ).scalar_one()
    return due.astimezone(CST).date()


@pytest.mark.slow  # fresh interpreters run the server and the command
def test_an_import_reaches_a_running_server_without_a_restart(
    db: Engine, db_url: str, tmp_path: Path
) -> None:
    publish_xiaogan(db)
    key = create_api_key(db, "12345热线", "xiaogan")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "test-secret",
        "YIDI_EMBEDDED_WORKER": "0",
    }

    def push() -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cases",
            data=json.dumps({"data": intake_data()}).encode("utf-8"),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 201
            body: dict[str, Any] = json.loads(answer.read())
        return str(body["code"])

    with yidi(env, "serve", "--port", str(port)) as server:

        def answering() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_for(answering, "the server to answer", gone=lambda: server.poll() is not None)
        before = push()
        today = datetime.now(CST).date()
        text, saturday = holiday_file(today)
        file = tmp_path / "测试.csv"
        file.write_text(text, encoding="utf-8")
        command = ["calendar", "import", str(file), "--by", "测试"]
        imported = subprocess.run(
            [sys.executable, "-c", "import server, sys; sys.exit(server.main())", *command],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        after = push()
        _, err = terminate(server)
    # Received on a day the file makes a holiday: the 派单 (due at the end of the working day)
    # waits for the first working day, the Saturday the file makes a working day.
    assert dispatch_due(db, after) == saturday, err
    assert dispatch_due(db, before) != saturday
