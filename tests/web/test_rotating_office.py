"""A rotating office (xiaogan's 劳动人事争议仲裁委, `驻点 轮驻 周二, 周四`) over HTTP: a ticket
dispatched to it is due after its stationed working days only (a stationed day that is a
holiday does not count), and the dispatch page, the intake's routing hint and the office's
inbox say when it is next in. Both backends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from dsl.model import Stationing
from engine import versions
from engine.cases import Engine as Workflow
from engine.clock import CST, ManualClock
from engine.scope import system
from engine.tables import CASE, TICKET
from tests.web.casework import MONDAY, open_ticket
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.counties import intake_data, publish_xiaogan, xiaogan
from tests.web.flow import INTAKE_FIELDS, TOWN
from tests.web.test_web_ticket_ops import sign_in

COUNTY_CENTER, OFFICE = "孝南区中心", "劳动人事争议仲裁委"
ROTATION = f"{OFFICE}（轮驻 周二、周四）"


def labour_case(db: Engine, clock: ManualClock) -> str:
    """A 劳动争议 case: routed to the county center's rotating arbitration committee."""
    data = intake_data(channel="来访", category="劳动争议")
    view = Workflow(db, clock).receive(
        system("测试", "xiaogan"),
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category="劳动争议",
        severity="一般",
        location="书院社区",
        parties=data["parties"],
        data=data,
        center=TOWN,
    )
    return view.code


def staff(make_user: Callable[..., str]) -> dict[str, str]:
    return {
        "dispatcher": make_user("xg_dispatch", MembershipSpec(COUNTY_CENTER, "调度员")),
        "arbiter": make_user("xg_arbiter", MembershipSpec(COUNTY_CENTER, "承办人", OFFICE)),
        "clerk": make_user("xg_clerk", MembershipSpec(TOWN, "窗口人员", None, "综合窗口")),
    }


def dispatch(client: TestClient, db: Engine, code: str) -> Any:
    """The dispatcher sends the case to the arbitration committee on the 派发 page."""
    ticket = open_ticket(db, code)
    page = client.get(f"/tickets/{ticket}/act/派发")
    assert page.status_code == 200, page.text
    token = csrf_of(client, f"/tickets/{ticket}/act/派发")
    answer = client.post(
        f"/tickets/{ticket}/act/派发",
        data={"office": OFFICE, "instruction": "请仲裁委受理", "csrf_token": token},
    )
    assert answer.status_code == 303, answer.text
    return page.text


def accept_ticket(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return (
            conn.execute(
                select(TICKET.c.office, TICKET.c.due_at)
                .join(CASE, CASE.c.id == TICKET.c.case_id)
                .where(CASE.c.code == code, TICKET.c.step == "接单")
            )
            .mappings()
            .one()
        )


def test_a_ticket_of_a_rotating_office_counts_its_stationed_days_and_pages_say_when(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    publish_xiaogan(db)
    people = staff(make_user)
    code = labour_case(db, clock)  # Monday 2 November, 09:00

    sign_in(client, people["dispatcher"], PASSWORD)
    page = dispatch(client, db, code)
    assert f"{ROTATION}下次驻点：11月3日（周二）" in page  # the dispatch page
    ticket = accept_ticket(db, code)
    # 接单 within 1 working day: Monday is not one of its days, so its clock starts on Tuesday
    # morning and runs to Thursday's (not Tuesday 09:00, as for a resident office).
    assert ticket["office"] == OFFICE
    assert ticket["due_at"] == datetime(2026, 11, 5, 8, 30, tzinfo=CST)

    sign_in(client, people["arbiter"], PASSWORD)
    inbox = client.get("/inbox").text
    assert f"{ROTATION}下次驻点：11月3日（周二）" in inbox
    assert "2026-11-05 08:30" in inbox
    clock.set(datetime(2026, 11, 3, 10, 0, tzinfo=CST))  # Tuesday: it is in today
    assert f"{ROTATION}今日驻点：11月3日（周二）" in client.get("/inbox").text
    clock.set(datetime(2026, 11, 3, 18, 0, tzinfo=CST))  # after hours: Thursday is next
    assert f"{ROTATION}下次驻点：11月5日（周四）" in client.get("/inbox").text

    sign_in(client, people["clerk"], PASSWORD)
    fields = {**INTAKE_FIELDS, "category": "劳动争议", "channel": "来访"}
    token = csrf_of(client, "/intake")
    hint = client.post("/intake/route", data={**fields, "csrf_token": token})
    assert hint.status_code == 200, hint.text
    assert OFFICE in hint.text and "下次驻点：11月5日（周四）" in hint.text


def test_a_stationed_day_that_is_a_holiday_does_not_count(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    publish_xiaogan(db)
    people = staff(make_user)
    # Wednesday 30 September 2026: National Day takes Thursday 1 and Tuesday 6 October.
    clock.set(datetime(2026, 9, 30, 10, 0, tzinfo=CST))
    code = labour_case(db, clock)
    sign_in(client, people["dispatcher"], PASSWORD)
    page = dispatch(client, db, code)
    assert f"{ROTATION}下次驻点：10月8日（周四）" in page
    # The clock starts on Thursday 8 October; the make-up Saturday (10th) is not its day.
    assert accept_ticket(db, code)["due_at"] == datetime(2026, 10, 13, 8, 30, tzinfo=CST)
    sign_in(client, people["arbiter"], PASSWORD)
    assert f"{ROTATION}下次驻点：10月8日（周四）" in client.get("/inbox").text


def test_a_resident_office_keeps_the_county_calendar(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    publish_xiaogan(db)
    people = staff(make_user)
    code = labour_case(db, clock)
    sign_in(client, people["dispatcher"], PASSWORD)
    ticket = open_ticket(db, code)
    token = csrf_of(client, f"/tickets/{ticket}/act/派发")
    answer = client.post(
        f"/tickets/{ticket}/act/派发",
        data={"office": "人民调解委员会", "instruction": "请调委会受理", "csrf_token": token},
    )
    assert answer.status_code == 303, answer.text
    assert accept_ticket(db, code)["due_at"] == MONDAY.replace(day=3)  # Tuesday 09:00


def test_a_weekend_only_rotation_published_before_the_check_counts_on_the_county_calendar(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    # `yidi check` now refuses `轮驻 周日`; a county published before that still has one. Its
    # deadlines fall back to the county calendar (docs/language.md 驻点) instead of a 500.
    model = xiaogan()
    office = model.offices[OFFICE]
    sunday = replace(office, stationing=Stationing("rotating", (7,)))
    weekend = replace(
        model, offices={**model.offices, OFFICE: sunday}, content_hash="weekend-only-rotation"
    )
    versions.publish(db, weekend, by="test")
    people = staff(make_user)
    code = labour_case(db, clock)  # Monday 2 November, 09:00
    sign_in(client, people["dispatcher"], PASSWORD)
    page = dispatch(client, db, code)
    assert f"{OFFICE}（轮驻 周日）近一年内没有驻点日" in page  # no Sunday make-up day ahead
    assert accept_ticket(db, code)["due_at"] == MONDAY.replace(day=3)  # as a resident office
