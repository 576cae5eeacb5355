"""A letter kind's own calendar (`日历 X` in 函件) sets its reply deadline: issued through the
web on Monday 16 November 2026 with 回复时限 2 工作日, the kind's calendar takes the 17th and
18th off (due Friday the 20th), the county's default calendar does not (due the 18th)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from dsl import compile_files
from dsl.loader import load_files
from engine import versions
from engine.clock import ManualClock
from tests.letters.test_letters_web import make_user
from tests.letters.xiaogan_letters import COUNTY_CENTER, TOWN, XIAOGAN
from tests.support import csrf_of
from tests.web.conftest import login

MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
KINDS = """
日历 函件日历 "函件专用日历" {
  放假 2026-11-17 至 2026-11-18
}
函件 催办函 {
  文号 "孝催〔{年}〕{号}号"
  收件单位 司法所
  回复时限 2 工作日
  日历 函件日历
  签发 督办员
  正文 "{收件单位}：{事由}，请于{回复期限}前回复。"
}
函件 提示函 {
  文号 "孝提〔{年}〕{号}号"
  收件单位 司法所
  回复时限 2 工作日
  签发 督办员
  正文 "{收件单位}：{事由}，请于{回复期限}前回复。"
}
"""


@pytest.fixture
def county(app: Any, db: DbEngine) -> None:
    files = load_files(XIAOGAN)
    files["letters.yd"] = KINDS
    result = compile_files("xiaogan", files)
    assert result.county is not None, result.diagnostics
    versions.publish(db, result.county, by="测试")
    app.state.clock = ManualClock(MONDAY)
    make_user(db, "duban", MembershipSpec(COUNTY_CENTER, "督办员"), "督办员老周")


@pytest.mark.parametrize(
    ("kind", "due"),
    [("催办函", "2026年11月20日"), ("提示函", "2026年11月18日")],
)
def test_the_kinds_calendar_sets_the_reply_deadline(
    client: TestClient, county: None, kind: str, due: str
) -> None:
    assert login(client, "duban") == 303
    form = {"kind": kind, "to": f"{TOWN}|司法所", "reason": "请核查", "csrf_token": ""}
    form["csrf_token"] = csrf_of(client, f"/letters/new?kind={kind}")
    answer = client.post("/letters/new", data=form)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert f"司法所：请核查，请于{due}前回复。" in page
