"""The deadlines' stages as a county runs them: `yidi worker` processes fire them and
`yidi serve` shows what they did (计时县, tests/web/timing_county.py). The product has no
clock to move, so the cases are received in the past, each as long ago as puts it at one
point of its deadlines (4 days for the ticket, 5 for the whole case):

- 2.2 days: 到 50% 亮 黄 (ticket and case);
- 3.5 days: also the case's 到 0.5 亮 蓝, which does not lower the case's 黄 (颜色等级 蓝, 黄, 红),
  and 到 75% 提醒 承办人;
- 4.5 days: also 超时 亮 红, 督办 督办员 @ 县 (a 督办单 at the county center, in its 督办 tab);
- 6 days: also 超时 1 天 提级 (to the county center, where 司法所 is not stationed: routing
  chooses again) and the whole case's 超时 提醒 调度员.

Two workers run at once and a third after them: every due stage fires exactly once. Both
backends."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, and_, func, select

from engine import timers
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.db import make_engine
from engine.scope import system
from engine.tables import CASE, EVENT, TICKET
from tests.system.deployment import ROOT, START_WITHIN, Server, free_port, serve_args
from tests.system.people import Staff
from tests.web.timing_county import COUNTY, KEY, PASSWORD, TOWN, publish

AGES = {"yellow": 2.2, "reminded": 3.5, "overdue": 4.5, "escalated": 6.0}
# The stage timers due at each age (ticket: 黄 2d, 提醒 3d, 红 + 督办 4d, 提级 5d; case: 蓝
# 2.5d, 提醒 5d)
DUE = {"yellow": 1, "reminded": 3, "overdue": 5, "escalated": 7}


@pytest.fixture
def county_db(db_url: str, tmp_path: Path) -> Iterator[tuple[Engine, dict[str, str]]]:
    db = make_engine(db_url)
    publish(db)
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "system-test-secret",
        "YIDI_LOG_LEVEL": "warning",
        "YIDI_EMBEDDED_WORKER": "0",  # only the `yidi worker` processes fire timers
        "PYTHONPATH": str(ROOT),
    }
    try:
        yield db, env
    finally:
        db.dispose()


def received_ago(db: Engine, days: float) -> str:
    """A 一般 邻里纠纷 case received `days` ago: its 调解 ticket at 东镇's 司法所."""
    clock = ManualClock(datetime.now(UTC) - timedelta(days=days))
    data = {
        "category": "邻里纠纷",
        "severity": "一般",
        "location": {"town": TOWN},
        "parties": [{"name": "张三"}],
        "summary": "相邻通行纠纷",
    }
    view = Workflow(db, clock).receive(
        system("测试", KEY),
        KEY,
        channel="来访",
        window="综合窗口",
        category="邻里纠纷",
        severity="一般",
        location=TOWN,
        parties=data["parties"],
        data=data,
        center=COUNTY,
    )
    return view.code


def worker_once(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "import server, sys; sys.exit(server.main())", "worker", "--once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fired(proc: subprocess.Popen[str]) -> int:
    out, err = proc.communicate(timeout=START_WITHIN)
    assert proc.returncode == 0, out + err
    found = re.search(r"已触发 (\d+) 个定时器", out)
    assert found, out + err
    return int(found.group(1))


def due_now(db: Engine) -> int:
    with db.connect() as conn:
        query = select(func.count()).where(
            and_(timers.timer.c.fired_at.is_(None), timers.timer.c.due_at <= datetime.now(UTC))
        )
        return int(conn.execute(query.select_from(timers.timer)).scalar_one())


def case_row(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).mappings().one()


def events(db: Engine, code: str) -> list[tuple[str, str | None]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.kind, EVENT.c.note)
            .join(CASE, CASE.c.id == EVENT.c.case_id)
            .where(CASE.c.code == code)
            .order_by(EVENT.c.id)
        ).all()
    return [(r.kind, r.note) for r in rows]


def kinds(db: Engine, code: str, kind: str) -> list[str | None]:
    return [note for found, note in events(db, code) if found == kind]


def tickets(db: Engine, code: str) -> list[tuple[str, str, str, str | None, str, str]]:
    """(kind, state, center, office, role, colour) of each of the case's tickets."""
    with db.connect() as conn:
        rows = conn.execute(
            select(
                TICKET.c.kind,
                TICKET.c.state,
                TICKET.c.center,
                TICKET.c.office,
                TICKET.c.role,
                TICKET.c.colour,
            )
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code)
            .order_by(TICKET.c.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_worker_processes_fire_each_stage_once_and_the_server_shows_it(
    county_db: tuple[Engine, dict[str, str]], tmp_path: Path
) -> None:
    db, env = county_db
    codes = {name: received_ago(db, days) for name, days in AGES.items()}
    assert due_now(db) == sum(DUE.values())

    two = [worker_once(env), worker_once(env)]  # at once: they must not both fire a timer
    assert sum(fired(proc) for proc in two) == sum(DUE.values())
    assert fired(worker_once(env)) == 0  # nothing fires twice

    yellow, reminded, overdue, escalated = (codes[name] for name in AGES)
    open_task = ("task", "open", TOWN, "司法所", "承办人")
    # 到 50% 亮 黄: the ticket and the case
    assert tickets(db, yellow) == [(*open_task, "黄")]
    assert (case_row(db, yellow)["colour"], kinds(db, yellow, "reminded")) == ("黄", [])
    # the case's 到 0.5 亮 蓝 came after the ticket's 黄: the case keeps the graver 黄
    assert tickets(db, reminded) == [(*open_task, "黄")]
    assert case_row(db, reminded)["colour"] == "黄"
    assert [c for c, _ in events(db, reminded) if c == "colour"] == ["colour", "colour"]
    assert kinds(db, reminded, "reminded") == ["提醒承办人：时限将到"]
    assert case_row(db, reminded)["supervised"] is False
    # 超时 亮 红, 督办 督办员 @ 县
    assert tickets(db, overdue) == [
        (*open_task, "红"),
        ("supervision", "open", COUNTY, None, "督办员", ""),
    ]
    row = case_row(db, overdue)
    assert (row["colour"], row["supervised"], row["escalations"]) == ("红", True, 0)
    assert kinds(db, overdue, "supervised") == [f"{COUNTY} 督办"]
    # 超时 1 天 提级: to the county center, handled there by the fallback office
    assert tickets(db, escalated) == [
        ("task", "cancelled", TOWN, "司法所", "承办人", "红"),
        ("supervision", "open", COUNTY, None, "督办员", ""),
        ("task", "open", COUNTY, "综治中心", "承办人", ""),
    ]
    row = case_row(db, escalated)
    assert (row["center"], row["level"], row["office"], row["escalations"]) == (
        COUNTY,
        "县",
        "综治中心",
        1,
    )
    assert kinds(db, escalated, "escalated") == ["超时自动提级"]
    # the whole case's 超时 提醒 调度员, beside the ticket's 提醒 承办人
    assert sorted(kinds(db, escalated, "reminded")) == [
        "提醒承办人：时限将到",
        "提醒调度员：时限将到",
    ]
    for code in codes.values():  # every effect once, whichever worker fired it
        found = [kind for kind, _ in events(db, code)]
        assert found.count("supervised") <= 1 and found.count("escalated") <= 1

    port = free_port()
    server = Server(env, serve_args(port), tmp_path / "logs", port=port)
    server.start()
    try:
        supervisor = Staff(server.base, "js_supervisor", PASSWORD).sign_in()
        tab = supervisor.http.get("/inbox?tab=supervised").text
        assert overdue in tab and escalated in tab and yellow not in tab
        handler = Staff(server.base, "js_handler", PASSWORD).sign_in()
        page = handler.http.get(f"/cases/{reminded}").text
        assert "提醒承办人：时限将到" in page and 'class="grade grade-黄"' in page
        assert 'class="grade grade-红"' in handler.http.get(f"/cases/{overdue}").text
        assert escalated not in handler.http.get("/inbox").text
        county_handler = Staff(server.base, "js_county_handler", PASSWORD).sign_in()
        assert escalated in county_handler.http.get("/inbox").text
        for person in (supervisor, handler, county_handler):
            person.close()
    finally:
        server.kill()
