"""The versions page (版本发布) counts the warnings `yidi check` counts for the same working
copy on the same server: the national holiday table's coverage too (from November, the next
year must be imported), read from this server's database and clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

import admin.calendar_cli
import server
from engine.clock import ManualClock
from tests.console.conftest import login
from tests.console.county import files
from tests.console.test_console_versions import CHANGE, save

COVERAGE = "2027 年的全国节假日安排（放假与调休上班）尚未导入"


def page_counts(client: TestClient) -> tuple[int, int]:
    page = client.get("/console/versions").text
    found = re.search(r"检查结果：(\d+) 处错误，(\d+) 处警告。", page)
    assert found, page[:1000]
    return int(found.group(1)), int(found.group(2))


def check_counts(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, int]:
    server.main(["check", str(folder)])
    found = re.search(r"(\d+) 个错误，(\d+) 个警告", capsys.readouterr().out)
    assert found
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize(
    ("today", "warned"),
    [(datetime(2026, 10, 31, 4, tzinfo=UTC), False), (datetime(2026, 11, 2, 4, tzinfo=UTC), True)],
)
def test_the_versions_page_and_yidi_check_count_the_same_warnings(
    app,
    client: TestClient,
    qingshan: Engine,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    today: datetime,
    warned: bool,
) -> None:
    clock = ManualClock(today)
    app.state.clock = clock  # the server's clock
    monkeypatch.setattr(admin.calendar_cli, "clock", clock)  # `yidi check`'s
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)  # the same server's database
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YIDI_SECRET_KEY", "test-secret")

    token = login(client, "qs_admin")
    working = {**files(), "county.yd": files()["county.yd"].replace(*CHANGE)}
    save(client, token, "county.yd", working["county.yd"])
    folder = tmp_path / "qingshan"
    for path, text in working.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")

    assert page_counts(client) == check_counts(folder, capsys)
    page = client.get("/console/versions").text
    assert (COVERAGE in page) is warned
    if warned:
        assert "本服务器：" in page  # a warning about the server, not a line of a file
