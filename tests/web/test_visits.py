"""登记再次来访 from the case page over HTTP: a CSRF-protected POST that counts one more visit
and shows it with its timeline entry; refused (404, nothing written) outside the user's town
or county; bad input answered in Chinese on the page with nothing written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from engine.tables import CASE, EVENT
from tests.web.casework import open_case
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.flow import TOWN
from tests.web.seed import Seeder
from tests.web.test_web_ticket_ops import sign_in, timeline


def stored(db: Engine, code: str) -> tuple[int, list[tuple[Any, ...]]]:
    """The case's visit count and its visit events (before, after, note) as stored."""
    with db.connect() as conn:
        case_id, visits = conn.execute(
            select(CASE.c.id, CASE.c.visits).where(CASE.c.code == code)
        ).one()
        events = conn.execute(
            select(EVENT.c.before, EVENT.c.after, EVENT.c.note)
            .where(EVENT.c.case_id == case_id, EVENT.c.kind == "visited")
            .order_by(EVENT.c.id)
        ).all()
    return int(visits), [tuple(e) for e in events]


def post_visit(client: TestClient, code: str, **fields: str) -> Any:
    token = csrf_of(client, f"/cases/{code}")
    return client.post(f"/cases/{code}/visits", data={**fields, "csrf_token": token})


def test_the_clerk_records_a_repeat_visit_and_the_page_shows_the_new_count(
    client, db, people, clock
):
    code = open_case(db, clock)
    sign_in(client, people["clerk"].username)
    page = client.get(f"/cases/{code}").text
    assert f'action="/cases/{code}/visits"' in page and "来访 1 次" in page
    assert "再次来访" not in timeline(page)

    answer = post_visit(client, code, note="当事人来问调解进度")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{code}?did=visit#visits"
    page = client.get(answer.headers["location"]).text
    assert "来访 2 次" in page and "已登记再次来访，本案来访次数：2 次" in page
    entry = timeline(page)
    assert "再次来访" in entry and "当事人来问调解进度" in entry
    assert people["clerk"].display_name in entry
    assert stored(db, code) == (2, [({"visits": 1}, {"visits": 2}, "当事人来问调解进度")])


def test_htmx_gets_the_page_with_the_new_count_to_swap(client, db, people, clock):
    code = open_case(db, clock)
    sign_in(client, people["handler"].username)
    token = csrf_of(client, f"/cases/{code}")
    answer = client.post(
        f"/cases/{code}/visits",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
        follow_redirects=True,
    )
    assert answer.status_code == 200 and 'id="case-body"' in answer.text
    assert "来访 2 次" in answer.text
    assert stored(db, code)[0] == 2


def test_a_visit_without_the_csrf_token_is_refused(client, db, people, clock):
    code = open_case(db, clock)
    sign_in(client, people["clerk"].username)
    before = stored(db, code)
    answer = client.post(f"/cases/{code}/visits", data={"note": "无令牌"})
    assert answer.status_code == 403
    assert stored(db, code) == before


def test_a_user_of_another_town_or_county_is_not_found_and_nothing_is_written(
    client, db, people, clock, make_user
):
    code = open_case(db, clock)
    Seeder(db).publish()  # a second county whose staff hold a center of the same name
    make_user("outsider", MembershipSpec(TOWN, "调解员", "司法所"), county="webxian")
    before = stored(db, code)
    for username, password in (
        (people["other_town_handler"].username, None),
        ("outsider", PASSWORD),
    ):
        sign_in(client, username, password)
        token = csrf_of(client, "/inbox")
        answer = client.post(f"/cases/{code}/visits", data={"csrf_token": token, "note": "x"})
        assert answer.status_code == 404, username
        assert "不在您的工作范围内" in answer.text
        assert client.get(f"/cases/{code}").status_code == 404
    assert stored(db, code) == before


def test_a_note_too_long_is_answered_in_chinese_on_the_page_and_writes_nothing(
    client, db, people, clock
):
    code = open_case(db, clock)
    sign_in(client, people["clerk"].username)
    before = stored(db, code)
    answer = post_visit(client, code, note="长" * 501)
    assert answer.status_code == 422
    assert 'id="problem-visit"' in answer.text
    assert "来访说明不能超过 500 字（现有 501 字）" in answer.text
    assert "长" * 501 in answer.text  # what was typed comes back to be shortened
    assert stored(db, code) == before
