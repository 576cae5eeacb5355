"""Who drives the deployed server over HTTP: staff in a browser's shoes (login with CSRF,
the case page's action links, forms) and another system with an API key."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx

from tests.support import TOKEN

CODE = re.compile(r'class="code">([A-Z]+-\d{4}-\d{6})<')


class Staff:
    """One member of staff with their own cookie jar, as one browser."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def csrf(self, path: str) -> str:
        page = self.http.get(path)
        found = TOKEN.search(page.text)
        assert found, f"no csrf_token on {path} ({page.status_code})"
        return found.group(1)

    def sign_in(self) -> Staff:
        self.http.cookies.clear()
        token = self.csrf("/login")
        answer = self.http.post(
            "/login",
            data={"username": self.username, "password": self.password, "csrf_token": token},
        )
        assert answer.status_code == 303, answer.text[-2000:]
        return self

    def post(self, path: str, fields: dict[str, str], form: str | None = None) -> Any:
        """POST a form as a browser does: the CSRF token read from the page that shows it."""
        return self.http.post(path, data={**fields, "csrf_token": self.csrf(form or path)})

    def action_url(self, code: str, action: str) -> str | None:
        page = self.http.get(f"/cases/{code}").text
        found = re.search(rf'href="(/tickets/\d+/act/[^"]+)">{action}<', page)
        return found.group(1) if found else None

    def act(self, code: str, action: str, fields: dict[str, str] | None = None) -> None:
        url = self.action_url(code, action)
        assert url, f"{self.username}: no action {action} on {code}"
        answer = self.post(url, fields or {})
        assert answer.status_code == 303, (
            f"{action} on {code}: {answer.status_code} " + (answer.text[-1500:])
        )
        assert answer.headers["location"].startswith(f"/cases/{code}")

    def register(self, fields: dict[str, str]) -> str:
        """受理登记 at the window; the new case's code from its receipt."""
        answer = self.post("/intake", fields)
        assert answer.status_code == 303, answer.text[-2000:]
        receipt = self.http.get(answer.headers["location"])
        found = CODE.search(receipt.text)
        assert found, receipt.text[-2000:]
        return found.group(1)


class Caller:
    """Another system (the 12345 hotline) pushing cases with its API key."""

    def __init__(self, base: str, key: str) -> None:
        self.http = httpx.Client(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {key}"}
        )

    def close(self) -> None:
        self.http.close()

    def push(self, data: dict[str, Any], key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        return self.http.post("/api/v1/cases", json={"data": data}, headers=headers)

    def status(self, code: str) -> int:
        return int(self.http.get(f"/api/v1/cases/{code}").status_code)

    def case(self, code: str) -> dict[str, Any]:
        answer = self.http.get(f"/api/v1/cases/{code}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found


def attempt_action(staff: Staff, code: str, action: str, fields: dict[str, str]) -> int | None:
    """One action as a browser sends it, without asserting: the POST's status (303 is done),
    None when the action is not offered; a transport error (server gone) propagates."""
    url = staff.action_url(code, action)
    if url is None:
        return None
    token = staff.csrf(url)
    answer = staff.http.post(url, data={**fields, "csrf_token": token})
    return int(answer.status_code)
