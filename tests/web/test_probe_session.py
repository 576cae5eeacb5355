"""Health probes are polled all day without cookies: they must not open sessions."""

from __future__ import annotations

from starlette.testclient import TestClient

from admin.session import COOKIE
from tests.web.conftest import login


def test_probes_without_a_cookie_get_no_session_cookie(client: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
    assert COOKIE not in client.cookies
    # An ordinary page still hands out a session (its CSRF token lives there).
    assert COOKIE in client.get("/login").headers["set-cookie"]


def test_a_probe_leaves_a_signed_in_session_as_it_was(client: TestClient, make_user) -> None:
    make_user("clerk")
    assert login(client, "clerk") == 303
    cookie = client.cookies[COOKIE]
    response = client.get("/healthz")
    assert "set-cookie" not in response.headers
    assert client.cookies[COOKIE] == cookie
    assert client.get("/inbox").status_code == 200  # still signed in
