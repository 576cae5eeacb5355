"""The inbox's 事项类型 filter takes in sub-categories (issue 18): choosing 婚姻家庭 shows the
cases of 离婚纠纷 and 赡养纠纷 too, on the tabs run on the driver's cursor (待办, 超期) and on
the others (已办), over HTTP on the backend under test."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine

from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.scope import Membership, Principal, system
from tests.web.casework import MONDAY, open_ticket
from tests.web.counties import intake_data
from tests.web.flow import TOWN
from tests.web.test_web_ticket_ops import sign_in


def received(db: Engine, clock: ManualClock, category: str) -> str:
    """A case of `category` awaiting the town's dispatcher (派单)."""
    data = intake_data(channel="来访", category=category)
    view = Workflow(db, clock).receive(
        system("测试", "xiaogan"),
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category=category,
        severity=data["severity"],
        location="书院社区",
        parties=data["parties"],
        data=data,
        center=TOWN,
    )
    return view.code


def codes(page: str) -> set[str]:
    return set(re.findall(r"/cases/([A-Za-z0-9-]+)", page))


def test_a_parent_category_shows_the_cases_of_its_sub_categories(client, db, people, clock):
    clock.set(MONDAY)
    divorce = received(db, clock, "离婚纠纷")
    support = received(db, clock, "赡养纠纷")
    family = received(db, clock, "婚姻家庭")
    neighbours = received(db, clock, "邻里纠纷")
    sign_in(client, people["dispatcher"].username)

    shown = codes(client.get("/inbox?category=婚姻家庭").text)  # 待办: the driver's cursor
    assert {divorce, support, family} <= shown and neighbours not in shown
    shown = codes(client.get("/inbox?category=离婚纠纷").text)  # a sub-category: itself only
    assert divorce in shown and not {support, family, neighbours} & shown
    shown = codes(client.get("/inbox?category=婚姻家庭&step=派单&severity=一般").text)
    assert {divorce, support, family} <= shown and neighbours not in shown

    clock.set(MONDAY + timedelta(days=3))  # 派单 is due the same day: all four overdue now
    shown = codes(client.get("/inbox?tab=overdue&category=婚姻家庭").text)
    assert {divorce, support, family} <= shown and neighbours not in shown

    # 已办 is not run on the driver: the same family there
    who = people["dispatcher"]
    dispatcher = Principal(who.username, who.display_name, "xiaogan", (Membership(TOWN, "调度员"),))
    for code in (divorce, neighbours):
        Workflow(db, clock).act(dispatcher, open_ticket(db, code), "派发", {"office": "司法所"})
    shown = codes(client.get("/inbox?tab=done&category=婚姻家庭").text)
    assert divorce in shown and neighbours not in shown
