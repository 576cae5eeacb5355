"""Error pages, body limits, attachments through scope, first-run demo data and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, update
from starlette.routing import Route
from starlette.testclient import TestClient

import server
from admin import limits
from admin.accounts import USERS, MembershipSpec
from admin.attachments import store
from admin.cli import parse_member
from admin.demo import plan
from engine.registry import County
from engine.tables import Case
from tests.web.conftest import csrf_of, login
from tests.web.counties import xiaogan
from tests.web.seed import TOWN_A, TOWN_B, Seeder

CLERK_A = MembershipSpec(center=TOWN_A, role="受理员", window="综合窗口")


def test_an_unexpected_error_is_a_chinese_page_without_a_trace(app):
    async def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "系统出错" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.headers["x-frame-options"] == "DENY"


def test_wrong_method_is_a_chinese_page(client):
    response = client.put("/login", headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 405
    assert "不支持" in response.text


def test_oversized_post_is_refused_before_it_is_parsed(client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BODY", 1000)
    token = csrf_of(client)
    response = client.post("/login", data={"username": "x" * 2000, "csrf_token": token})
    assert response.status_code == 413
    assert "太大" in response.text


def test_attachments_download_only_within_scope_and_only_when_referenced(
    app, client, make_user, db: Engine
):
    seeder = Seeder(db).publish()
    from starlette.requests import Request

    # The county's own store, in the app's data directory.
    saved = store(Request({"type": "http", "app": app}), "webxian").put(
        b"%PDF-1.4 test", "协议.pdf"
    )
    reference = {"agreement": {"sha256": saved.sha256, "filename": "调解协议.pdf"}}
    mine = seeder.case(TOWN_A, data=reference)
    theirs = seeder.case(TOWN_B, data=reference)
    unrelated = seeder.case(TOWN_A)
    make_user("clerk_a", CLERK_A, county="webxian")
    login(client, "clerk_a")
    response = client.get(f"/cases/{mine}/files/{saved.sha256}")
    assert response.status_code == 200 and response.content == b"%PDF-1.4 test"
    assert response.headers["content-disposition"].startswith("attachment")
    assert client.get(f"/cases/{theirs}/files/{saved.sha256}").status_code == 404
    assert client.get(f"/cases/{unrelated}/files/{saved.sha256}").status_code == 404


def test_first_run_publishes_the_demo_counties_and_accounts_once(db: Engine, monkeypatch):
    monkeypatch.setattr(server, "DEFINITIONS", server.DEFINITIONS)
    created = server._first_run(db)
    roles = {a.membership.role for a in created if a.membership}
    assert created and roles >= {"窗口人员", "调度员", "承办人"}
    admins = [a for a in created if a.membership is None]
    assert admins and all(a.username.endswith("admin") for a in admins)
    with db.connect() as conn:
        counties = conn.execute(select(func.count()).select_from(County)).scalar_one()
        accounts = conn.execute(select(func.count()).select_from(USERS)).scalar_one()
    assert counties >= 1 and accounts == len(created)
    with db.connect() as conn:
        query = select(func.count()).select_from(USERS).where(USERS.c.is_admin)
        flagged = conn.execute(query).scalar_one()
    assert flagged == len(admins) == counties  # one console administrator per county
    assert server._first_run(db) == []  # a second start changes nothing


def test_demo_plan_gives_the_window_role_its_window():
    accounts = plan(xiaogan())
    window_staff = [a for a in accounts if a.membership.role == "窗口人员"]
    assert window_staff and all(a.membership.window == "综合窗口" for a in window_staff)
    handlers = [a for a in accounts if a.membership.office == "司法所"]
    assert handlers and all(a.membership.center == "书院街道" for a in handlers)


def test_cli_user_add_and_login(db_url, db: Engine, monkeypatch, capsys, app):
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)
    Seeder(db).publish()  # the county must exist (and its memberships are checked against it)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a-long-password\n"))
    code = server.main(
        [
            "user",
            "add",
            "wang",
            "--county",
            "webxian",
            "--member",
            f"{TOWN_A}:受理员::综合窗口",
            "--password-stdin",
        ]
    )
    out = capsys.readouterr()
    assert code == 0 and "已创建用户" in out.out, out.err
    with TestClient(app, follow_redirects=False) as client:
        assert login(client, "wang", "a-long-password") == 303
    assert (
        server.main(["user", "add", "wang", "--county", "webxian", "--admin", "--password-stdin"])
        == 1
    )


def test_cli_apikey_add_prints_a_working_key(db_url, db: Engine, monkeypatch, capsys, app):
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)
    Seeder(db).publish()
    assert server.main(["apikey", "add", "--system", "网格平台", "--county", "webxian"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    with TestClient(app) as client:
        response = client.get(
            "/api/v1/cases/WE-2026-000001", headers={"Authorization": f"Bearer {key}"}
        )
    assert response.status_code == 404  # authenticated, and no such case


@pytest.mark.parametrize("text", ["城关镇", ":受理员", "a:b:c:d:e", ""])
def test_membership_syntax_errors_are_explained(text):
    with pytest.raises(ValueError, match="中心:角色"):
        parse_member(text)


def test_deactivated_user_is_signed_out(client, make_user, db: Engine):
    make_user("clerk_a", CLERK_A, county="webxian")
    login(client, "clerk_a")
    assert client.get("/search").status_code == 200
    with db.begin() as conn:
        conn.execute(update(USERS).values(active=False))
    assert client.get("/search").status_code == 303


def test_case_rows_are_untouched_by_a_refused_intake(client, make_user, db: Engine):
    Seeder(db).publish()
    make_user("clerk_a", CLERK_A, county="webxian")
    login(client, "clerk_a")
    token = csrf_of(client, "/search")
    response = client.post("/intake", data={"csrf_token": token})
    assert response.status_code in (403, 404)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar_one() == 0


def test_navigation_offers_the_console_to_administrators_only(client, db, make_user):
    from admin.accounts import create_user
    from tests.web.conftest import PASSWORD, login

    make_user("clerk", MembershipSpec("孝南区矛盾纠纷调处化解中心", "窗口人员"))
    create_user(
        db, "boss", PASSWORD, display_name="管理员", county="xiaogan", memberships=[], is_admin=True
    )
    assert login(client, "clerk") == 303
    page = client.get("/search").text
    assert 'href="/dashboards/"' in page and 'href="/console/"' not in page
    client.cookies.clear()
    assert login(client, "boss") == 303
    page = client.get("/search").text
    assert 'href="/console/"' in page
