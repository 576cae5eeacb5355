"""The inbox's paging by keyset (下一页 links), and its 督办 (supervised) tab: supervision
tickets the user works and open tickets of supervised cases in the user's scope, never another
town's (it answered 500 for every user with memberships before migration 0009's query)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin import inbox
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


def _next_link(page: str) -> str | None:
    found = re.search(r'<a href="(\?[^"]*)">下一页</a>', page)
    return html.unescape(found.group(1)) if found else None


def test_next_links_page_by_keyset_and_match_the_numbered_pages(
    client: TestClient, make_user, seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = [seeded.case(TOWN_A) for _ in range(7)]
    for index, code in enumerate(codes):  # two share a due time: the id breaks the tie
        seeded.ticket(code, TOWN_A, due_in=timedelta(hours=min(index, 5) + 1))
    undated = seeded.case(TOWN_A)
    seeded.ticket(undated, TOWN_A, due_at=None)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    monkeypatch.setattr(inbox, "PER_PAGE", 3)
    followed, link = [], "?tab=todo"
    while link:
        page = client.get("/inbox" + link).text
        followed.append(re.findall(r'href="/cases/([^"]+)"', page))
        link = _next_link(page)
        assert link is None or "after=" in link
    numbered = [
        re.findall(r'href="/cases/([^"]+)"', client.get(f"/inbox?page={n}").text)
        for n in range(1, len(followed) + 1)
    ]
    assert followed == numbered
    assert [code for page in followed for code in page] == [*codes, undated]


def test_a_forged_cursor_falls_back_to_the_page_number(
    client: TestClient, make_user, seeded
) -> None:
    code = seeded.case(TOWN_A)
    seeded.ticket(code, TOWN_A)
    make_user("handler_a", HANDLER_A, county="webxian")
    login(client, "handler_a")
    for after in ("x-1", "99999999999999999999-1", "n-abc", "1-" + "9" * 30):
        response = client.get(f"/inbox?page=1&after={after}")
        assert response.status_code == 200 and code in response.text
