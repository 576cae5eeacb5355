"""The dashboards on a real published county: cases received through the engine show up in
the figures of whoever may see them, with no test seam in between."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine.cases import Engine as Workflow
from engine.reports.periods import local_today
from tests.web.conftest import PASSWORD, login
from tests.web.counties import intake_data, publish_xiaogan


def received(html: str) -> str:
    found = re.search(
        r'data-metric="received">\s*<span class="metric-label">[^<]*</span>\s*'
        r'<span class="metric-value">([^<]*)</span>',
        html,
    )
    assert found
    return found.group(1)


def test_received_case_counts_for_its_town_not_for_another(db: Engine, client: TestClient) -> None:
    publish_xiaogan(db)
    view = Workflow(db).receive(
        "12345平台",
        "xiaogan",
        channel="12345",
        category="邻里纠纷",
        severity="一般",
        location="书院社区",
        parties=[{"name": "王小明", "role": "申请人", "phone": "13812345678"}],
        data=intake_data(),
        visits=0,
    )
    for username, center in (("shuyuan", "书院街道"), ("xinhua", "新华街道")):
        create_user(
            db,
            username,
            PASSWORD,
            display_name=username,
            county="xiaogan",
            memberships=[MembershipSpec(center, "主任")],
        )
    day = local_today(datetime.now(UTC)).isoformat()
    assert login(client, "shuyuan") == 303
    html = client.get(f"/dashboards/?period=day&day={day}").text
    assert received(html) == "1"
    listing = client.get(f"/dashboards/cases?period=day&day={day}&metric=received").text
    assert view.code in listing
    assert "13812345678" not in listing
    client.cookies.clear()
    assert login(client, "xinhua") == 303
    assert received(client.get(f"/dashboards/?period=day&day={day}").text) == "0"
