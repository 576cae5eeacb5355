"""The inbox page's two caches: lines remembered by their database row, and the page around
the table remembered per user, session, tab and filters. Neither may show stale or someone
else's content."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from engine.tables import Ticket
from tests.web.conftest import login
from tests.web.seed import TOWN_A, Seeder

HANDLER_A = MembershipSpec(center=TOWN_A, role="调解员", office="司法所")


@pytest.fixture
def seeded(db: Engine) -> Seeder:
    return Seeder(db).publish()


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_each_session_gets_its_own_page_around_the_table(
    app: Starlette, client: TestClient, make_user, seeded
) -> None:
    code = seeded.case(TOWN_A)
    seeded.ticket(code, TOWN_A)
    make_user("handler_a", HANDLER_A, county="webxian", display_name="甲承办人")
    make_user("handler_b", HANDLER_A, county="webxian", display_name="乙承办人")
    login(client, "handler_a")
    first = client.get("/inbox").text
    with TestClient(app) as other:
        login(other, "handler_b")
        second = other.get("/inbox").text
        again = client.get("/inbox").text
    assert "甲承办人" in first and "乙承办人" not in first
    assert "乙承办人" in second and "甲承办人" not in second
    assert _token(first) != _token(second)
    assert _token(again) == _token(first) and "甲承办人" in again
    assert code in first and code in second  # the same line for both, each in their own page


def test_the_page_around_the_table_follows_the_tab_and_filters(
    client: TestClient, make_user, seeded
) -> None:
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    plain = client.get("/inbox").text
    filtered = client.get("/inbox?tab=overdue&category=<b>邻里</b>").text
    assert '<select name="category">' in plain and "&lt;b&gt;" not in plain
    # a value not in the definition (an old link) stays chosen, escaped
    assert '<option value="&lt;b&gt;邻里&lt;/b&gt;" selected>' in filtered
    assert 'href="/inbox?tab=overdue" aria-current="page"' in filtered
    assert 'href="/inbox?tab=todo" aria-current="page"' in plain


def test_an_htmx_request_gets_the_table_only(client: TestClient, make_user, seeded) -> None:
    code = seeded.case(TOWN_A)
    seeded.ticket(code, TOWN_A)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    table = client.get("/inbox", headers={"HX-Request": "true"}).text
    assert code in table and "<header" not in table and "<table" in table


def test_a_line_follows_its_ticket_and_the_clock(
    client: TestClient, db: Engine, make_user, seeded
) -> None:
    code = seeded.case(TOWN_A)
    ticket = seeded.ticket(code, TOWN_A, due_in=timedelta(hours=2), colour="")
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    before = client.get("/inbox").text
    assert code in before and "已超期" not in before and "grade-红" not in before
    with db.begin() as conn:  # what a timer does: the grade changes, the due time passes
        conn.execute(
            update(Ticket)
            .where(Ticket.id == ticket)
            .values(colour="红", due_at=datetime.now(UTC) - timedelta(hours=1))
        )
    after = client.get("/inbox").text
    assert "grade-红" in after and "（已超期）" in after


def test_lines_a_page_default_to_twenty_and_the_user_may_pick_fifty(
    client: TestClient, make_user, seeded
) -> None:
    codes = []
    for n in range(55):
        code = seeded.case(TOWN_A)
        seeded.ticket(code, TOWN_A, due_in=timedelta(hours=n + 1))
        codes.append(code)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")

    def shown(page: str) -> list[str]:
        return re.findall(r'<a href="/cases/([^"]+)">', page)

    default = client.get("/inbox").text
    assert shown(default) == codes[:20]
    assert '<option value="20" selected>' in default
    fifty = client.get("/inbox?per=50").text
    assert shown(fifty) == codes[:50] and '<option value="50" selected>' in fifty
    following = re.search(r'href="(\?[^"]*page=2[^"]*)">下一页', fifty)
    assert following and "per=50" in following.group(1)
    rest = client.get("/inbox" + following.group(1).replace("&amp;", "&")).text
    assert shown(rest) == codes[50:] and "下一页" not in rest
    assert shown(client.get("/inbox?per=7").text) == codes[:20]  # not a choice: the default
    assert shown(client.get("/inbox?per=abc").text) == codes[:20]
