"""The inbox's 督办 (supervised) tab: supervision tickets the user works and open tickets of
supervised cases in the user's scope, never another town's (it answered 500 for every user
with memberships before migration 0009's candidates query)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from tests.web.conftest import login
from tests.web.seed import TOWN_A, TOWN_B, Seeder

HANDLER_A = MembershipSpec(center=TOWN_A, role="调解员", office="司法所")


@pytest.fixture
def seeded(db: Engine) -> Seeder:
    return Seeder(db).publish()


def test_supervised_tab_lists_supervision_and_supervised_cases_in_scope(
    client: TestClient, make_user, seeded
) -> None:
    watched = seeded.case(TOWN_A, supervised=True, title="被督办的纠纷")
    seeded.ticket(watched, TOWN_A)
    chased = seeded.case(TOWN_A, title="督办单所在案件")
    seeded.ticket(chased, TOWN_A, kind="supervision", step="督办", name="督办单")
    plain = seeded.case(TOWN_A, title="普通案件")
    seeded.ticket(plain, TOWN_A)
    elsewhere = seeded.case(TOWN_B, supervised=True, title="别镇督办案件")
    seeded.ticket(elsewhere, TOWN_B)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    response = client.get("/inbox?tab=supervised")
    assert response.status_code == 200
    page = response.text
    assert watched in page and chased in page
    assert plain not in page and elsewhere not in page


def test_closed_tickets_of_a_supervised_case_are_not_listed(
    client: TestClient, make_user, seeded
) -> None:
    watched = seeded.case(TOWN_A, supervised=True)
    seeded.ticket(watched, TOWN_A, state="completed")
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    page = client.get("/inbox?tab=supervised").text
    assert watched not in page and "暂无事项" in page
