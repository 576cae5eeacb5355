"""No secret reaches the server's log (issue 18): after a full day over a real `yidi serve` at
log level info — every role's pages, a 12345 push with its API key, a citizen's evaluation link
opened, used and opened again — the log holds no password, API key, session cookie or
evaluation token; the evaluation path is there, with its token masked."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.system.conftest import PASSWORD, Deployment
from tests.system.people import Staff
from tests.system.walk import a_day, crawl, progress_lookup

pytestmark = [pytest.mark.slow]
LINK = re.compile(r'href="([^"#]+)"')


def test_a_full_walk_leaves_no_secret_in_the_server_log(deployment: Deployment) -> None:
    day = a_day(deployment)
    for username in day.accounts:
        staff = Staff(day.server.base, username, PASSWORD).sign_in()
        for name, value in staff.http.cookies.items():
            day.secrets[f"{username} 的 Cookie {name}"] = value

        def open_page(path: str, staff: Staff = staff) -> list[str]:
            return LINK.findall(staff.http.get(path).text)

        assert list(crawl(["/inbox"], open_page, limit=15))
        staff.close()
    citizen = Staff(day.server.base, "", "")
    try:
        for path in ("/", "/online", "/online/xiaogan", "/progress"):
            assert citizen.http.get(path).status_code in (200, 303)
        assert citizen.post("/progress", progress_lookup(day.codes[0])).status_code == 200
        path = urlsplit(day.link).path
        assert citizen.post(path, {"score": "满意"}).status_code == 200
        assert citizen.http.get(path).status_code == 410
        wrong = "Wrong-Password-1234"
        day.secrets["输错的密码"] = wrong
        citizen.http.post("/login", data={"username": "clerk", "password": wrong})
    finally:
        citizen.close()

    log = day.server.output()
    assert '"path": "/inbox"' in log  # the request log was written: this test can fail
    assert re.search(r'"path": "/evaluate/[A-Z]+-\d{4}-\d{6}/\*\*\*"', log)
    leaked = [name for name, value in day.secrets.items() if value and value in log]
    assert not leaked, leaked
