"""Helpers shared by the web and console tests."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's hidden field."""
    found = TOKEN.search(client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)
