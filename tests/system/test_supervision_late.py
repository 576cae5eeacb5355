"""A 督办单 answered late, as deployed: the `yidi worker` process fires its reply deadline's
stages (a reminder to the office, the 督办单's red grade, and at the deadline a 督办单 for the
city center's 负责人, as 孝感's `督办 { 回复时限 { … } }` says), and `yidi serve` shows it: in the
负责人's 督办 tab, on the case page's timeline in Chinese; the office then replies over HTTP
and the reply is recorded as late.

The product has no clock to move, so the case is received, dispatched and supervised ten days
ago (a 较大 case at the county center: its own deadlines, 20 days, are nowhere near a stage),
with a one-working-day reply deadline that has long run out. Both backends."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from admin.accounts import MembershipSpec, create_user
from engine import supervision
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.scope import Membership, Principal, system
from engine.tables import CASE, EVENT
from tests.system.conftest import PASSWORD, Deployment
from tests.web.counties import intake_data, publish_xiaogan
from tests.web.flow import COUNTY_CENTER

pytestmark = pytest.mark.slow  # real processes: each start imports and migrates

CITY = "孝感市综治中心"
OFFICE = "人民调解委员会"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120  # a liveness bound, not a speed check
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def supervised_long_ago(db: Engine) -> str:
    """A 较大 case at 孝南区中心's 人民调解委员会, supervised ten days ago with a day to reply."""
    work = Workflow(db, ManualClock(datetime.now(UTC) - timedelta(days=10)))
    data = intake_data(channel="来访", severity="较大")
    view = work.receive(
        system("测试", "xiaogan"),
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category=data["category"],
        severity="较大",
        location="书院社区",
        parties=data["parties"],
        data=data,
        center=COUNTY_CENTER,
    )
    assert (view.center, view.office) == (COUNTY_CENTER, OFFICE)
    [dispatch] = [t for t in view.open_tickets() if t.kind != "supervision"]
    view = work.act(system("测试", "xiaogan"), dispatch.id, "派发", {"office": OFFICE})
    boss = Principal(
        "supervisor", "督办员甲", "xiaogan", (Membership(COUNTY_CENTER, "督办员", None),)
    )
    work.supervise(boss, view.code, office=OFFICE, reason="当事人多次来电催问进展", days=1)
    return view.code


def event_kinds(db: Engine, code: str) -> list[str]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.kind)
                .join(CASE, CASE.c.id == EVENT.c.case_id)
                .where(CASE.c.code == code)
                .order_by(EVENT.c.id)
            ).scalars()
        )


def test_the_worker_escalates_a_late_reply_and_the_server_shows_it(
    deployment: Deployment,
) -> None:
    db = deployment.db
    publish_xiaogan(db)
    for username, where in (
        ("city_head", MembershipSpec(CITY, "负责人")),
        ("county_mediation", MembershipSpec(COUNTY_CENTER, "承办人", OFFICE)),
    ):
        create_user(db, username, PASSWORD, display_name=username, county="xiaogan",
                    memberships=[where])  # fmt: skip
    code = supervised_long_ago(db)
    assert "supervision_escalated" not in event_kinds(db, code)

    server = deployment.server(YIDI_EMBEDDED_WORKER="0")  # only `yidi worker` fires timers
    deployment.worker()
    wait_for(
        lambda: "supervision_escalated" in event_kinds(db, code), "the late reply's escalation"
    )
    kinds = event_kinds(db, code)
    assert kinds.count("supervision_reminded") == 1 and kinds.count("supervision_escalated") == 1
    assert kinds.index("supervision_reminded") < kinds.index("supervision_escalated")

    head = deployment.person(server, "city_head")
    assert code in head.http.get("/inbox?tab=supervised").text
    page = head.http.get(f"/cases/{code}").text
    timeline = page.split("办理轨迹", 1)[1]
    assert "督办单回复提醒" in timeline and "督办单逾期，提级督办" in timeline
    assert f"{OFFICE}逾期未回复督办单，已报孝感市社会治理综合服务中心负责人督办" in timeline
    assert "已逾期，提级督办" in page

    office = deployment.person(server, "county_mediation")
    assert code in office.http.get("/inbox?tab=supervised").text
    url = office.action_url(code, "回复督办")
    assert url, "the office has no 回复督办 on the case page"
    answer = office.post(url, {"_reason": "已于本周组织双方调解"})
    assert answer.status_code == 303, answer.text[-1500:]
    page = office.http.get(f"/cases/{code}").text
    assert re.search(r"逾期回复（[^）]+）：已于本周组织双方调解", page)
    with db.connect() as conn:
        row = conn.execute(select(supervision.NOTICE)).mappings().one()
    assert row["late"] is True and row["escalated_at"] is not None
