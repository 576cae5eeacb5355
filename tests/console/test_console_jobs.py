"""The console's 「定时任务」 page: each periodic job of the administrator's county, its last run
(when, what it drew or the error) and its next run, after real worker runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec, create_user
from engine import scheduler
from engine.clock import CST
from tests.console.conftest import PASSWORD, login, make_admin, publish_files
from tests.console.county import files as qingshan_files
from tests.engine.test_scheduler import (
    DEC_1,
    KEY,
    NOV,
    PollCounter,
    close_cases,
    publish,
    runs,
    two_workers_at_once,
)


@pytest.fixture
def clock(app: Starlette) -> PollCounter:
    """The app's clock and the workers': the first minute of December (local time)."""
    found = PollCounter(DEC_1)
    app.state.clock = found
    return found


@pytest.fixture
def xianan(db: Engine, tmp_path: Path) -> str:
    make_admin(db, "xa_admin", KEY)
    publish(db, tmp_path / KEY, "30% 每 月")
    close_cases(db, KEY, NOV, 4)
    return KEY


def job_row(html: str) -> str:
    start = html.index('<tr data-job="回访抽样:回访抽查/回访">')
    return html[start : html.index("</tr>", start)]


def test_the_page_shows_each_job_with_its_last_and_next_run(
    client: TestClient, db: Engine, db_url: str, xianan: str, clock: PollCounter
) -> None:
    login(client, "xa_admin")
    page = client.get("/console/jobs")
    assert page.status_code == 200
    assert '<a href="/console/jobs" aria-current="page">定时任务</a>' in page.text
    row = job_row(page.text)
    assert "回访抽样：派单、办理、抽查回访 · 回访（每月 30%）" in row
    assert "尚未运行" in row and "下一次轮询时" in row and "处理2026年11月" in row

    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    row = job_row(client.get("/console/jobs").text)
    assert "2026-12-01 00:00" in row  # when it ran, local time
    assert "2026年11月办结 4 件，抽中 2 件" in row
    assert "2027-01-01 00:00" in row and "处理2026年12月" in row  # the next period's run
    for raw in ("None", "done", "failed", "running"):
        assert raw not in row
    assert "尝试" not in row  # a run that succeeded at once says nothing about attempts


def test_a_failed_run_shows_its_error_and_retry(
    client: TestClient,
    db: Engine,
    db_url: str,
    xianan: str,
    clock: PollCounter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scheduler.load_job_modules()
    kind = scheduler.KINDS["回访抽样"]

    def broken(run: scheduler.Run) -> str:
        raise RuntimeError("回访员名单为空，无法派单")

    monkeypatch.setitem(scheduler.KINDS, kind.name, scheduler.JobKind(kind.name, kind.jobs, broken))
    two_workers_at_once(db_url, clock, lambda: len(runs(db)) == 1)
    login(client, "xa_admin")
    row = job_row(client.get("/console/jobs").text)
    assert "失败：回访员名单为空，无法派单" in row
    # both workers may have tried once the first rolled back (tests/engine/test_scheduler.py):
    # the page counts every attempt
    assert re.search(r"已尝试 [12] 次", row)
    retry = DEC_1 + scheduler.RETRY_AFTER
    assert f"{retry.astimezone(CST):%Y-%m-%d %H:%M}" in row and "处理2026年11月" in row


def test_each_administrator_sees_only_the_jobs_of_their_county(
    client: TestClient, db: Engine, xianan: str, clock: PollCounter
) -> None:
    make_admin(db, "qs_admin", "qingshan")
    publish_files(db, "qingshan", qingshan_files())  # no sampled revisit: no job
    login(client, "qs_admin")
    html = client.get("/console/jobs").text
    assert "回访抽样" not in html
    assert "本县区的定义没有需要定时运行的任务" in html


def test_staff_may_not_see_the_page(
    client: TestClient, db: Engine, xianan: str, clock: PollCounter
) -> None:
    create_user(
        db,
        "xa_staff",
        PASSWORD,
        display_name="回访员",
        county=KEY,
        memberships=[MembershipSpec(center="青山县中心", role="回访员")],
    )
    login(client, "xa_staff", page="")
    assert client.get("/console/jobs").status_code == 403
    client.cookies.clear()
    assert client.get("/console/jobs").status_code == 303  # to the login page


def test_a_county_with_nothing_published_has_no_jobs(
    client: TestClient, db: Engine, clock: PollCounter
) -> None:
    make_admin(db, "new_admin", "xinxian")
    login(client, "new_admin", page="")
    html = client.get("/console/jobs").text
    assert "本县区尚未发布流程定义，没有定时任务。" in html
