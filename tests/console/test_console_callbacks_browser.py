"""The 回告地址 of the 回告推送 page in headless Chromium: an administrator registers a callback
URL for a key, sees the signing secret once, and the change is in 操作记录 (screenshot for
docs/console.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.applications import Starlette

from admin.accounts import KEYS, create_api_key
from engine import outbox
from tests.console.test_console_browser import errors_seen, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_register_a_callback_in_the_browser(
    page: Any,
    live_server: Callable[[Any], str],
    app: Starlette,
    qingshan: Engine,
    artifacts: Path,
    errors_seen: list[str],  # noqa: F811
) -> None:
    token = create_api_key(qingshan, "12345热线", "qingshan")
    with qingshan.connect() as conn:
        key = conn.execute(select(KEYS.c.id).where(KEYS.c.prefix == token[:10])).scalar_one()
    site = live_server(app)
    sign_in(page, site, "qs_admin")
    page.goto(f"{site}/console/replies")
    row = page.locator(f'tr[data-key="{key}"]')
    row.locator("input[name=url]").fill("https://hotline.example/yidi/replies")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#signing-secret")
    shot(page, artifacts, "callback")
    with qingshan.connect() as conn:
        url, secret = conn.execute(
            select(outbox.CALLBACKS.c.url, outbox.CALLBACKS.c.secret).where(
                outbox.CALLBACKS.c.api_key_id == key
            )
        ).one()
    assert url == "https://hotline.example/yidi/replies"
    assert page.inner_text("#signing-secret pre").strip() == secret
    assert "已为「12345热线」登记回告地址" in page.inner_text("#notice")
    page.goto(f"{site}/console/audit")
    assert "登记回告地址" in page.inner_text("#audit")
    assert secret not in page.content()
    assert errors_seen == []
