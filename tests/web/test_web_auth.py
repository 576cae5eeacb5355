"""Login, logout, sessions, CSRF, security headers and error pages (the slowing down of
failed logins: tests/web/test_login_throttle.py)."""

from __future__ import annotations

from starlette.testclient import TestClient

from admin.auth import StaffMembership
from tests.web.conftest import PASSWORD, csrf_of, login

CLERK = StaffMembership(center="城关镇", role="窗口受理员", window="综合受理窗口")


def test_login_sets_a_hardened_session_cookie_and_opens_the_inbox(client: TestClient, make_user):
    make_user("clerk", CLERK)
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test below


def test_cookie_is_secure_over_https(app, make_user):
    make_user("clerk", CLERK)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = client.get("/login")
        assert "Secure" in response.headers["set-cookie"]
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_says_only_that_it_is_wrong(client: TestClient, make_user):
    # No "N tries left": that was said for known usernames only (lockout design in
    # tests/web/test_login_throttle.py).
    make_user("clerk", CLERK)
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": "clerk", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text and "再错" not in response.text
    assert "再错" not in client.get("/login").text


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client: TestClient):
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": "nobody", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_post_without_csrf_token_is_refused(client: TestClient, make_user):
    make_user("clerk", CLERK)
    client.get("/login")
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert "Traceback" not in response.text


def test_post_with_another_sessions_token_is_refused(app, client: TestClient, make_user):
    make_user("clerk", CLERK)
    with TestClient(app) as other:
        foreign = csrf_of(other)
    client.get("/login")
    response = client.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_htmx_header_token_is_accepted(client: TestClient, make_user):
    make_user("clerk", CLERK)
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": "clerk", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 303


def test_logout_kills_every_copy_of_the_cookie(client: TestClient, make_user):
    make_user("clerk", CLERK)
    assert login(client, "clerk") == 303
    stolen = dict(client.cookies)
    assert client.get("/inbox").status_code != 303
    token = csrf_of(client, "/inbox")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.clear()
    client.cookies.update(stolen)
    response = client.get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_pages_need_login_and_remember_where_to_go(client: TestClient):
    response = client.get("/inbox?tab=overdue")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/inbox%3Ftab%3Doverdue"


def test_login_refuses_to_redirect_off_site(client: TestClient, make_user):
    make_user("clerk", CLERK)
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={
            "username": "clerk",
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": token,
        },
    )
    assert response.headers["location"] == "/inbox"


def test_security_headers_on_pages_and_errors(client: TestClient):
    for path in ("/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_not_found_is_a_chinese_page(client: TestClient):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "未找到" in response.text and "<html" in response.text


def test_pages_carry_no_inline_script(client: TestClient):
    html = client.get("/login").text
    assert "<script>" not in html and "onclick" not in html
    assert 'hx-headers=\'{"X-CSRF-Token": "' in html
