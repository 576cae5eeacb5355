"""The web inbox lists exactly the open tickets the user may work (engine.scope.may_work):
an office member also works the center-level tickets of their role (no office on the ticket),
never another office's, and a ticket reachable through two memberships is listed once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from engine.cases import Engine as Workflow
from engine.scope import Membership, Principal, may_work
from tests.web.conftest import login
from tests.web.seed import TOWN_A, Seeder

HANDLER_A = MembershipSpec(center=TOWN_A, role="调解员", office="司法所")
CENTER_MEDIATOR = MembershipSpec(center=TOWN_A, role="调解员")
PRINCIPAL = Principal(
    username="handler_a",
    display_name="handler_a",
    county="webxian",
    memberships=(Membership(center=TOWN_A, role="调解员", office="司法所", window=None),),
)


@pytest.fixture
def seeded(db: Engine) -> Seeder:
    return Seeder(db).publish()


def _listed(page: str, codes: list[str]) -> list[str]:
    return [code for code in codes if code in page]


def test_an_office_member_sees_the_center_level_tickets_of_their_role(
    client: TestClient, db: Engine, make_user, seeded
) -> None:
    own = seeded.case(TOWN_A, title="本所的单")
    seeded.ticket(own, TOWN_A, office="司法所")
    shared = seeded.case(TOWN_A, title="中心层面的单")
    seeded.ticket(shared, TOWN_A, office=None)
    other_office = seeded.case(TOWN_A, title="派出所的单")
    seeded.ticket(other_office, TOWN_A, office="派出所")
    other_role = seeded.case(TOWN_A, title="别的角色的单")
    seeded.ticket(other_role, TOWN_A, office=None, role="调度员")
    assert may_work(PRINCIPAL, TOWN_A, None, "调解员")  # the rule the inbox must follow
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    page = client.get("/inbox").text
    everything = [own, shared, other_office, other_role]
    assert _listed(page, everything) == [own, shared]


def test_a_ticket_reached_through_two_memberships_is_listed_once(
    client: TestClient, make_user, seeded
) -> None:
    shared = seeded.case(TOWN_A, title="中心层面的单")
    seeded.ticket(shared, TOWN_A, office=None)
    make_user("both", HANDLER_A, CENTER_MEDIATOR, county="webxian")
    login(client, "both")
    page = client.get("/inbox").text
    assert page.count(f">{shared}<") == 1, page.count(shared)


def test_the_engine_inbox_and_the_web_inbox_agree(
    client: TestClient, db: Engine, make_user, seeded
) -> None:
    codes = []
    for office in ("司法所", None, "派出所"):
        code = seeded.case(TOWN_A)
        seeded.ticket(code, TOWN_A, office=office)
        codes.append(code)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    web = _listed(client.get("/inbox").text, codes)
    engine_items = Workflow(db).inbox(PRINCIPAL).items
    assert web == _listed(" ".join(t.case_code for t in engine_items), codes) == codes[:2]


def test_an_office_member_opens_the_cases_of_the_center_level_tickets_they_work(
    client: TestClient, db: Engine, make_user, seeded
) -> None:
    """A case received elsewhere (sent down from the county) with a center-level ticket of the
    member's role at their center: listed in their inbox, so its page must open for them, on
    the web and through the engine; another office's ticket there still does not open it."""
    from tests.web.seed import TOP

    sent_down = seeded.case(TOWN_A, received_center=TOP, title="县里交办的单")
    seeded.ticket(sent_down, TOWN_A, office=None)
    elsewhere = seeded.case(TOWN_A, received_center=TOP, title="派出所承办的单")
    seeded.ticket(elsewhere, TOWN_A, office="派出所")
    other_role = seeded.case(TOWN_A, received_center=TOP, title="调度员的单")
    seeded.ticket(other_role, TOWN_A, office=None, role="调度员")
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    assert _listed(client.get("/inbox").text, [sent_down, elsewhere, other_role]) == [sent_down]
    assert client.get(f"/cases/{sent_down}").status_code == 200
    assert client.get(f"/cases/{elsewhere}").status_code == 404
    assert client.get(f"/cases/{other_role}").status_code == 404
    workflow = Workflow(db)
    assert workflow.case(PRINCIPAL, sent_down) is not None
    assert workflow.case(PRINCIPAL, elsewhere) is None
    assert workflow.case(PRINCIPAL, other_role) is None
