"""Rules do what they say, through the web (issue 15, point 4): who gets a follow-up after a
transfer, a reopening fills its step's form, an escalated case goes to an office that is there.
Each drives the real app over HTTP as the staff who would, with the 规则县 definition."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine.tables import CASE, EVENT, TICKET
from tests.support import csrf_of
from tests.web.rules_county import PASSWORD, TOWN, publish


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


def action_url(client: TestClient, code: str, action: str) -> str:
    page = client.get(f"/cases/{code}").text
    found = re.search(rf'href="(/tickets/\d+/act/[^"]+)">{action}<', page)
    assert found, f"no action {action} on {code} for this user"
    return found.group(1)


def act(client: TestClient, code: str, action: str, fields: dict[str, str]) -> Any:
    url = action_url(client, code, action)
    token = csrf_of(client, url)
    return client.post(url, data={**fields, "csrf_token": token})


def acted(client: TestClient, code: str, action: str, fields: dict[str, str]) -> None:
    response = act(client, code, action, fields)
    assert response.status_code == 303, response.text


def register(client: TestClient, category: str) -> str:
    sign_in(client, "gz_clerk")
    token = csrf_of(client, "/intake")
    fields = {
        "category": category,
        "severity": "一般",
        "location/town": TOWN,
        "parties/0/name": "王小明",
        "summary": "楼上漏水多次协商未果",
        "_channel": "来访",
        "_window": "综合窗口|县中心",
        "_visits": "1",
        "csrf_token": token,
    }
    response = client.post("/intake", data=fields)
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["location"]).text
    return re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt).group(1)


def open_tickets(db: Engine, code: str) -> list[tuple[str, str, str | None]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(TICKET.c.step, TICKET.c.center, TICKET.c.office)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code, TICKET.c.state.in_(("open", "claimed")))
            .order_by(TICKET.c.id)
        ).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def county(db: Engine) -> Any:
    return publish(db)


def transferred_and_handled(client: TestClient, db: Engine) -> str:
    code = register(client, "信访事项")
    assert open_tickets(db, code) == [("办理", "县中心", "信访局")]
    sign_in(client, "gz_xf")
    acted(client, code, "转办", {"office": "住建局"})
    sign_in(client, "gz_zj")
    acted(client, code, "办结", {"notes": "已协调物业维修"})
    return code


def test_a_poor_evaluation_after_a_transfer_goes_to_the_office_that_handled_it(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = transferred_and_handled(client, db)
    sign_in(client, "gz_visitor")
    acted(client, code, "评价完成", {"score": "不满意"})
    assert open_tickets(db, code) == [("办理", "县中心", "住建局")]
    sign_in(client, "gz_xf")
    assert code not in client.get("/inbox").text
    sign_in(client, "gz_zj")
    assert code in client.get("/inbox").text
    acted(client, code, "办结", {"notes": "再次上门维修并回访"})


def test_a_transfer_offers_only_offices_that_are_there_and_refuses_others(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "信访事项")
    sign_in(client, "gz_xf")
    page = client.get(action_url(client, code, "转办")).text
    offered = re.search(r'<select[^>]*name="office"[^>]*>(.*?)</select>', page, re.S)
    assert offered and 'value="住建局"' in offered.group(1)  # a choice, not a text box
    assert 'value="司法所"' not in offered.group(1)
    response = act(client, code, "转办", {"office": "司法所"})  # a town office, forged
    assert response.status_code == 422
    assert "请从选项中选择" in response.text
    assert open_tickets(db, code) == [("办理", "县中心", "信访局")]


def test_a_reopening_fills_its_steps_form_and_its_condition_reads_it(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = transferred_and_handled(client, db)
    sign_in(client, "gz_visitor")
    acted(client, code, "评价完成", {"score": "满意"})
    assert open_tickets(db, code) == [("督促跟踪", "县中心", None)]
    form_page = client.get(action_url(client, code, "重开")).text
    assert 'name="settled"' in form_page  # the step's 回访 form, as check assumed
    acted(client, code, "重开", {"settled": "未化解", "_reason": "回访发现仍在漏水"})
    assert open_tickets(db, code) == [("办理", "县中心", "住建局")]
    with db.connect() as conn:
        data = conn.execute(
            select(TICKET.c.data)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code, TICKET.c.step == "督促跟踪")
        ).scalar_one()
    assert data == {"settled": "未化解"}


def test_an_escalated_case_goes_to_an_office_stationed_at_the_higher_center(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = register(client, "邻里纠纷")
    assert open_tickets(db, code) == [("派单", TOWN, None)]
    sign_in(client, "gz_town_dispatcher")
    acted(client, code, "派发", {})
    sign_in(client, "gz_town_handler")
    acted(client, code, "提级", {"_reason": "涉及多个镇，需县里协调"})
    # 司法所 is not stationed at the county center: routing chooses again there (the fallback).
    assert open_tickets(db, code) == [("派单", "县中心", None)]
    sign_in(client, "gz_county_dispatcher")
    acted(client, code, "派发", {})
    assert open_tickets(db, code) == [("调解", "县中心", "综治中心")]
    sign_in(client, "gz_county_handler")
    acted(client, code, "化解", {"notes": "县里组织双方调解成功"})
    with db.connect() as conn:
        status, office = conn.execute(
            select(CASE.c.status, CASE.c.office).where(CASE.c.code == code)
        ).one()
        notes = conn.execute(
            select(EVENT.c.note)
            .join(CASE, CASE.c.id == EVENT.c.case_id)
            .where(CASE.c.code == code, EVENT.c.kind == "assigned")
        ).scalars()
        assert "「司法所」未入驻县中心，改由「综治中心」承办" in list(notes)
    assert (status, office) == ("closed", "综治中心")
