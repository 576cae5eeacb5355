"""The national holiday table as deployed: `yidi calendar import` in one process, a running
`yidi serve` in another computes the next intake's deadline over the imported days, without a
restart (engine/national_calendar.py's per-transaction check).

The imported days are TEST DATA around today (测试假期), not any real schedule.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, select

from admin.accounts import create_api_key
from engine.clock import CST
from engine.tables import CASE, TICKET
from tests.system.deployment import Server, free_port, serve_args, yidi_command
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
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "test-secret",
        "YIDI_EMBEDDED_WORKER": "0",
    }
    port = free_port()
    server = Server(env=env, args=serve_args(port), logs=tmp_path / "logs", port=port)

    def push() -> str:
        answer = httpx.post(
            f"{server.base}/api/v1/cases",
            json={"data": intake_data()},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return str(body["code"])

    server.start()
    try:
        before = push()
        today = datetime.now(CST).date()
        text, saturday = holiday_file(today)
        file = tmp_path / "测试.csv"
        file.write_text(text, encoding="utf-8")
        yidi_command(env, "calendar", "import", str(file), "--by", "测试")
        after = push()
    finally:
        server.stop()
    # Received on a day the file makes a holiday: the 派单 (due at the end of the working day)
    # waits for the first working day, the Saturday the file makes a working day.
    assert dispatch_due(db, after) == saturday, server.output()[-2000:]
    assert dispatch_due(db, before) != saturday
