"""A published version reads as its number and time, never as a content hash (issue 18: the
versions page showed 57dfc439dbcb where an administrator looks for 第几版)."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.console.conftest import login


def test_the_versions_page_names_versions_by_number_not_hash(
    client: TestClient, qingshan: Engine
) -> None:
    login(client, "qs_admin")
    html = client.get("/console/versions").text
    history = html[html.index('id="history"') :]
    text = re.sub(r"<[^>]+>", " ", history)
    assert "第 1 版" in text
    assert not re.search(r"\b[0-9a-f]{12}\b", text), text
