"""如皋 published with its staff and today's screening rounds open, for the page tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from admin.accounts import MembershipSpec, create_user
from engine import scheduler
from engine.clock import ManualClock
from tests.prevention.rugao import KEY, MONDAY, publish, utc

PASSWORD = "Yidi-test-2026"
STAFF = {
    "wangge": [MembershipSpec("东兴社区", "网格员", "网格工作站")],
    "wangge2": [MembershipSpec("西河社区", "网格员", "网格工作站")],
    "rucheng": [MembershipSpec("如城街道", "调度员", "矛调中心")],
    "baipu": [MembershipSpec("白蒲镇", "调度员", "矛调中心")],
}


def prepare(db: Engine, app: Any) -> ManualClock:
    publish(db)
    for username, memberships in STAFF.items():
        create_user(
            db, username, PASSWORD, display_name=username, county=KEY, memberships=memberships
        )
    clock = ManualClock(utc(MONDAY))
    app.state.clock = clock
    scheduler.run_due(db, clock.now(), worker_id="测试")
    return clock
