"""The court link as a county deploys it (诉调对接): 如皋 published, a failed mediation handed
to the fast-track court; the court's system records the filing and the result through the API
of a running `yidi serve`, which closes the case; a court referral received 25 days ago gets
its own deadline's 80% reminder from a running `yidi worker` (its 30 days, not the 3 days a
village case has). Both backends."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, select

from dsl import compile_county
from engine import versions
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.scope import system
from engine.tables import CASE, EVENT
from tests.engine.counties import person
from tests.system.deployment import (
    ROOT,
    START_WITHIN,
    Process,
    Server,
    free_port,
    serve_args,
    yidi_command,
)

pytestmark = pytest.mark.slow

RUGAO = ROOT / "definitions" / "rugao"
TOWN, VILLAGE = "如城街道", "东兴社区"
DISPATCHER = person("rugao", "d", (VILLAGE, "调度员", None), (VILLAGE, "窗口人员", None))
MEDIATOR = person("rugao", "m", (VILLAGE, "调解员", "人民调解委员会"))
PARTY = {"name": "冒一", "role": "申请人", "phone": "13800001111"}
DATA = {"location": {"town": TOWN}, "summary": "相邻宅基地排水沟堵塞引发争执"}


def only(view: Any) -> int:
    [ticket] = [t for t in view.open_tickets() if t.kind != "supervision"]
    return int(ticket.id)


def receive(db: Engine, channel: str, days_ago: float) -> Any:
    clock = ManualClock(datetime.now(UTC) - timedelta(days=days_ago))
    facts = {"channel": channel, "category": "邻里纠纷", "severity": "一般"}
    return Workflow(db, clock).receive(
        system("测试", "rugao"), "rugao", **facts, location=VILLAGE, parties=[PARTY], data=DATA
    )


def at_court(db: Engine) -> str:
    wf = Workflow(db)
    view = receive(db, "来访", 0)
    form = {**DATA, "channel": "来访", "category": "邻里纠纷", "severity": "一般"}
    view = wf.act(DISPATCHER, only(view), "转后台", {**form, "parties": [PARTY]})
    view = wf.act(DISPATCHER, only(view), "派单", {"office": "人民调解委员会"})
    view = wf.act(MEDIATOR, only(view), "转速裁", {"channel": "速裁"})
    assert view.step == "等待法院"
    return str(view.code)


def kinds(db: Engine, code: str) -> list[str]:
    with db.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.kind)
            .join(CASE, CASE.c.id == EVENT.c.case_id)
            .where(CASE.c.code == code)
            .order_by(EVENT.c.id)
        ).scalars()
        return list(rows)


@pytest.fixture
def env(db: Engine, db_url: str, tmp_path: Path) -> dict[str, str]:
    versions.publish(db, compile_county(RUGAO), by="测试")
    return {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "system-test-secret",
        "YIDI_LOG_LEVEL": "info",
        "YIDI_EMBEDDED_WORKER": "0",  # only the `yidi worker` process fires timers
        "PYTHONPATH": str(ROOT),
    }


def test_the_courts_system_records_on_a_running_server(
    db: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    code = at_court(db)
    issue = ("apikey", "add", "--system", "法院诉讼服务系统", "--county", "rugao")
    key = yidi_command(env, *issue, "--scope", "court")
    key = key.strip().splitlines()[-1]
    port = free_port()
    server = Server(env, serve_args(port), tmp_path / "logs", port=port)
    try:
        server.start()
        auth = {"Authorization": f"Bearer {key}"}
        url = f"{server.base}/api/v1/cases/{code}/court"
        filing = {"record": "filing", "court_case_number": "（2026）苏0682民初5号"}
        refused = httpx.post(url, json={**filing, "filed_on": "昨天"}, headers=auth, timeout=30)
        assert refused.status_code == 422, refused.text
        filed = httpx.post(url, json={**filing, "filed_on": "2026-11-18"}, headers=auth, timeout=30)
        assert filed.status_code == 200, filed.text
        assert filed.json()["step"] == "等待法院"
        result = {"record": "result", "disposition": "结案", "result": "速裁调解结案"}
        closed = httpx.post(url, json=result, headers=auth, timeout=30)
        assert closed.status_code == 200, closed.text
        # A key issued for the court only (--scope court) pushes no intakes.
        push = {"location": "东兴社区", "data": {"summary": "法院系统误推的案件"}}
        pushed = httpx.post(f"{server.base}/api/v1/cases", json=push, headers=auth, timeout=30)
        assert pushed.status_code == 403 and "不能推送案件" in pushed.json()["message"]
        read = httpx.get(f"{server.base}/api/v1/cases/{code}", headers=auth, timeout=30)
        assert read.json()["status"] == "closed"
        assert kinds(db, code)[-3:] == ["court_decided", "diversion_reported", "closed"]
        again = httpx.post(url, json=result, headers=auth, timeout=30)
        assert again.status_code == 409
    finally:
        server.kill()
    assert key not in server.output()  # the API key never reaches the logs


def test_a_referral_gets_its_own_deadlines_reminder_from_the_worker(
    db: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    referral = receive(db, "法院委派", 25)  # 80% of 30 days is 24 days: the reminder is due
    walk_in = receive(db, "来访", 2)  # 80% of a village's 3 days is 2.4 days: not yet
    assert referral.due_at - referral.received_at == timedelta(days=30)
    worker = Process(env, ("worker", "--poll", "0.2"), tmp_path / "logs")
    try:
        worker.start()
        deadline = time.monotonic() + START_WITHIN
        while "reminded" not in kinds(db, referral.code):
            assert worker.running(), worker.output()[-4000:]
            assert time.monotonic() < deadline, worker.output()[-4000:]
            time.sleep(0.2)
    finally:
        worker.kill()
    assert "reminded" not in kinds(db, walk_in.code)
