"""`load_demo` publishes every county folder that compiles (what `yidi serve` does on first run)
and skips, with a warning, a folder that does not; the timer handler is what the worker runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine

from engine import timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.worker import load_handler_modules
from tests.engine.conftest import run_to_handling
from tests.engine.counties import MONDAY, person

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


def test_load_demo_publishes_what_compiles(
    db: DbEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copytree(DEFINITIONS / "xiaogan", tmp_path / "xiaogan")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "county.yd").write_text("这不是定义\n", encoding="utf-8")
    assert versions.load_demo(db, tmp_path) == ["xiaogan"]
    assert "broken" in caplog.text
    assert versions.current_county(db, "xiaogan").code_prefix == "XG"
    assert versions.load_demo(db, tmp_path) == ["xiaogan"]  # again: same version, no new one
    with db.connect() as conn:
        assert versions.current_in(conn, "xiaogan")[1] == 1


def test_the_worker_dispatcher_runs_the_engine_handlers(wf: Engine, clock: ManualClock) -> None:
    load_handler_modules()
    assert {"remind", "colour", "supervise", "escalate"} <= timers.DEFAULT_DISPATCHER.kinds()
    dispatcher = person("testa", "zhangsan", ("城关镇/东门村", "调度员", None))
    mediator = person("testa", "lisi", ("城关镇/东门村", "调解员", "人民调解委员会"))
    view = run_to_handling(wf, dispatcher, mediator)
    clock.set(MONDAY.replace(day=30))
    assert timers.fire_due(wf.db, clock, wf.fire_timer) == 5
    assert wf.inbox(mediator).items == []  # escalated: the work is at the town now
    town = person("testa", "t", ("城关镇", "调度员", None))
    moved = wf.case(town, view.code)
    assert (
        moved is not None and moved.colour == "红" and moved.supervised and moved.escalations == 1
    )


def test_load_demo_publishes_every_seed_county_and_gives_each_its_accounts(db: DbEngine) -> None:
    """What `yidi serve` does on first run, on the real definitions/ (the nine seed counties of
    the reports and the invented 小镇县): all publish, each gets staff and an administrator."""
    from admin.demo import create_demo_accounts

    published = versions.load_demo(db, DEFINITIONS)
    seeds = {"putuo", "xiaogan", "yunmeng", "rugao", "jining", "lucheng", "jiangan", "shishou"}
    assert seeds | {"echeng", "demo-xiaozhen"} == set(published)
    models = [versions.current_county(db, key) for key in published]
    accounts = create_demo_accounts(db, models)
    for key in published:
        mine = [a for a in accounts if a.username.startswith(key)]
        assert f"{key}admin" in {a.username for a in mine}, key
        assert any(a.membership and a.membership.window for a in mine), key
