"""Deadlines count on the county's calendars when a case is taken at the web window (计时县,
tests/web/timing_county.py): the default calendar's local holiday is skipped and its make-up
Saturday counted, its working hours (9:00-17:00) decide when counting starts and when 当日下班前
ends, and a deadline that names another calendar counts on that one. Both backends."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine import timers
from engine.clock import CST, ManualClock
from engine.tables import CASE, TICKET
from tests.support import csrf_of
from tests.web.test_web_rules import sign_in
from tests.web.timing_county import COUNTY, TOWN, publish


@pytest.fixture
def county(db: Engine) -> Any:
    return publish(db)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


def register(client: TestClient, category: str, severity: str = "一般") -> str:
    sign_in(client, "js_clerk")
    token = csrf_of(client, "/intake")
    fields = {
        "category": category,
        "severity": severity,
        "location/town": TOWN,
        "parties/0/name": "李四",
        "summary": "合同款项争议",
        "_channel": "来访",
        "_window": f"综合窗口|{COUNTY}",
        "_visits": "1",
        "csrf_token": token,
    }
    response = client.post("/intake", data=fields)
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["location"]).text
    found = re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt)
    assert found, receipt
    return found.group(1)


def due(db: Engine, code: str) -> datetime:
    """The due time of the case's open ticket, in county time."""
    with db.connect() as conn:
        found = conn.execute(
            select(TICKET.c.due_at)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code, TICKET.c.state == "open")
        ).scalar_one()
    assert found is not None
    return found.astimezone(CST)


def stages(db: Engine, code: str) -> dict[str, list[datetime]]:
    """The pending stage timers of the case's ticket by kind, their times in county time."""
    with db.connect() as conn:
        case_id = conn.execute(select(CASE.c.id).where(CASE.c.code == code)).scalar_one()
        found: dict[str, list[datetime]] = {}
        for row in timers.pending(conn, case_id=case_id):
            if row.ticket_id is not None:
                found.setdefault(row.kind, []).append(row.due_at.astimezone(CST))
    return {kind: sorted(times) for kind, times in found.items()}


def taken_at(
    client: TestClient, clock: ManualClock, moment: datetime, category: str, **kw: Any
) -> str:
    clock.set(moment)
    return register(client, category, **kw)


def test_working_days_skip_the_countys_holiday_and_count_its_make_up_saturday(
    client: TestClient, db: Engine, clock: ManualClock, county: Any
) -> None:
    # 较大: 2 工作日 on the default calendar (默认日历 计时日历, the deadline names none)
    monday = taken_at(client, clock, at(2, 10), "邻里纠纷", severity="较大")
    assert due(db, monday) == at(5, 10)  # Tue, (Wed 11-04 放假), Thu
    friday = taken_at(client, clock, at(6, 10), "邻里纠纷", severity="较大")
    assert due(db, friday) == at(9, 10)  # Sat 11-07 调休上班, then Mon
    sign_in(client, "js_handler")
    page = client.get(f"/cases/{friday}").text
    assert "2026-11-09 10:00" in page
    # the stages are shared out on the same working days: 到 50% is one working day in
    assert stages(db, monday)["colour"] == [at(3, 10), at(5, 10)]  # 黄 Tue, 红 when due
    assert stages(db, friday)["colour"] == [at(7, 10), at(9, 10)]  # 黄 on the make-up Sat


def test_working_hours_start_the_count_and_end_the_day(
    client: TestClient, db: Engine, clock: ManualClock, county: Any
) -> None:
    # Taken on the county's holiday (Wed 11-04): counting starts Thursday at the county's
    # 上班时间 9:00 (not the default 8:30); Fri, then the make-up Saturday
    holiday = taken_at(client, clock, at(4, 12), "邻里纠纷", severity="较大")
    assert due(db, holiday) == at(7, 9)
    # 时限 当日下班前: the county's end of the working day, 17:00 (not the default 17:30)...
    same_day = taken_at(client, clock, at(2, 11), "劳动争议")
    assert due(db, same_day) == at(2, 17)
    # ...and taken after it (17:15 Tue), the next working day's: Wed is off, so Thursday
    late = taken_at(client, clock, at(3, 17, 15), "劳动争议")
    assert due(db, late) == at(5, 17)


def test_a_deadline_that_names_a_calendar_counts_on_it(
    client: TestClient, db: Engine, clock: ManualClock, county: Any
) -> None:
    # 另算: 默认 1 工作日, 日历 另一日历 (Tue 11-03 放假 there; Wed 11-04 is worked there)
    other = taken_at(client, clock, at(2, 10), "合同纠纷")
    assert due(db, other) == at(4, 10)
    # taken on 另一日历's holiday: from Wednesday at its (default) 8:30, one working day on
    on_its_holiday = taken_at(client, clock, at(3, 10), "合同纠纷")
    assert due(db, on_its_holiday) == at(5, 8, 30)
