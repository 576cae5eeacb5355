"""Scope: a town's staff never see another town's case, by page, search, inbox or API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_api_key
from tests.web.conftest import login
from tests.web.seed import TOP, TOWN_A, TOWN_B, VILLAGE_A, Seeder

CLERK_A = MembershipSpec(center=TOWN_A, role="受理员", window="综合窗口")
HANDLER_A = MembershipSpec(center=TOWN_A, role="调解员", office="司法所")


@pytest.fixture
def seeded(db: Engine) -> Seeder:
    return Seeder(db).publish()


def test_town_clerk_reads_own_town_case_but_not_the_other_towns(client, make_user, seeded):
    mine = seeded.case(VILLAGE_A)
    theirs = seeded.case(TOWN_B)
    make_user("clerk_a", CLERK_A, county="webxian")
    assert login(client, "clerk_a") == 303
    assert client.get(f"/cases/{mine}").status_code == 200
    response = client.get(f"/cases/{theirs}")
    assert response.status_code == 404
    assert theirs not in response.text
    assert client.get(f"/cases/{theirs}/receipt").status_code == 404


def test_search_never_returns_another_towns_case(client, make_user, seeded):
    mine = seeded.case(TOWN_A, phone="13911112222")
    theirs = seeded.case(TOWN_B, phone="13911112222")  # same phone: one person, two towns
    make_user("clerk_a", CLERK_A, county="webxian")
    login(client, "clerk_a")
    page = client.get("/search", params={"q": "13911112222"}).text
    assert mine in page and theirs not in page
    by_code = client.get("/search", params={"q": theirs}).text
    assert f'href="/cases/{theirs}"' not in by_code and "没有找到" in by_code


def test_office_handler_inbox_holds_only_its_office_tickets_overdue_first(
    client, make_user, seeded
):
    late = seeded.case(TOWN_A)
    soon = seeded.case(TOWN_A)
    other_town = seeded.case(TOWN_B)
    dispatch = seeded.case(TOP)
    seeded.ticket(soon, TOWN_A, due_in=timedelta(days=2))
    seeded.ticket(late, TOWN_A, due_in=timedelta(hours=-3))
    seeded.ticket(other_town, TOWN_B)
    seeded.ticket(dispatch, TOP, office=None, role="调度员", step="派单")
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    page = client.get("/inbox").text
    assert late in page and soon in page
    assert other_town not in page and dispatch not in page
    assert page.index(late) < page.index(soon)
    assert "已超期" in page
    overdue = client.get("/inbox", params={"tab": "overdue"}).text
    assert late in overdue and soon not in overdue


def test_inbox_filters_and_pages(client, make_user, seeded):
    codes = [seeded.case(TOWN_A) for _ in range(3)]
    for index, code in enumerate(codes):
        seeded.ticket(code, TOWN_A, due_in=timedelta(hours=index + 1))
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    from admin import inbox

    original = inbox.PER_PAGE
    inbox.PER_PAGE = 2
    try:
        first = client.get("/inbox").text
        second = client.get("/inbox", params={"page": 2}).text
    finally:
        inbox.PER_PAGE = original
    assert codes[0] in first and codes[1] in first and codes[2] not in first
    assert "下一页" in first
    assert codes[2] in second and codes[0] not in second
    assert "暂无事项" in client.get("/inbox", params={"step": "办理"}).text


def test_an_office_handler_cannot_open_the_act_page_of_another_towns_ticket(
    client, make_user, seeded
):
    theirs = seeded.case(TOWN_B)
    ticket = seeded.ticket(theirs, TOWN_B)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    assert client.get(f"/tickets/{ticket}/act/受理").status_code == 404


def test_parties_are_masked_for_readers_and_shown_to_the_handler(client, make_user, seeded):
    code = seeded.case(TOWN_A, phone="13912345678")
    make_user("clerk_a", CLERK_A, county="webxian")
    login(client, "clerk_a")
    page = client.get(f"/cases/{code}").text
    assert "139****5678" in page and "13912345678" not in page
    assert "110101199003074514" not in page
    seeded.ticket(code, TOWN_A)
    client.post("/logout", data={"csrf_token": _token(client, f"/cases/{code}")})
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    assert "13912345678" in client.get(f"/cases/{code}").text


def test_api_key_reads_only_its_own_countys_cases(client, db, seeded):
    other = Seeder(db, county_key="otherxian").publish()
    mine = seeded.case(TOWN_A)
    theirs = other.case(TOWN_A)
    token = create_api_key(db, "12345热线", "webxian")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{mine}", headers=auth).json()["code"] == mine
    response = client.get(f"/api/v1/cases/{theirs}", headers=auth)
    assert response.status_code == 404
    assert theirs not in response.text


def _token(client: TestClient, path: str) -> str:
    from tests.web.conftest import csrf_of

    return csrf_of(client, path)
