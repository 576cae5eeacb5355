"""Publishing versions, cases pinned to theirs, and the migration dry-run and apply."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import County
from engine import versions
from engine.cases import Engine
from engine.cases_cli import migrate_command
from engine.errors import NotFound
from engine.scope import Principal
from engine.tables import CASE
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import make_county


def renamed_step(county: County) -> County:
    """Version 2: 办理 is renamed 化解 (so cases waiting there cannot map); all else equal."""
    process = county.processes["五单"]
    steps = {
        ("化解" if k == "办理" else k): (dataclasses.replace(s, key="化解") if k == "办理" else s)
        for k, s in process.steps.items()
    }
    return dataclasses.replace(
        county,
        name=county.name + "v2",
        processes={"五单": dataclasses.replace(process, steps=steps)},
    )


def test_publishing_is_idempotent_per_content(db: DbEngine) -> None:
    first = versions.publish(db, make_county(), by="甲")
    again = versions.publish(db, make_county(), by="乙")
    assert (first.id, first.number) == (again.id, 1)
    second = versions.publish(db, renamed_step(make_county()), by="乙")
    assert second.number == 2 and second.is_current
    assert "化解" in versions.current_county(db, "testa").processes["五单"].steps
    assert "办理" in versions.county_for_version(db, first.id).processes["五单"].steps
    with pytest.raises(NotFound, match="没有编号为 999"):
        versions.county_for_version(db, 999)


def test_cases_stay_on_their_version_and_migrate_when_mappable(
    wf: Engine,
    db: DbEngine,
    dispatcher: Principal,
    mediator: Principal,
    capsys: pytest.CaptureFixture[str],
) -> None:
    waiting = receive(wf)  # at 派单: maps
    stuck = run_to_handling(wf, dispatcher, mediator)  # at 办理: renamed, cannot map
    v2 = versions.publish(db, renamed_step(make_county()), by="管理员")
    newer = receive(wf)
    with db.connect() as conn:
        pinned = dict(conn.execute(select(CASE.c.code, CASE.c.version_id)).all())
    assert pinned[waiting.code] == pinned[stuck.code] != pinned[newer.code] == v2.id
    # the old case still runs on its own version
    assert wf.available_actions(mediator, only_open(stuck))[0].key == "调解成功"

    plan = versions.plan_migration(db, "testa", v2.id)
    assert [c.code for c in plan.movable] == [waiting.code]
    [refused] = plan.refused
    assert refused.code == stuck.code and "新版本没有步骤「办理」" in refused.steps[0].problem
    with db.connect() as conn:  # a dry run changes nothing
        assert (
            conn.execute(select(CASE.c.version_id).where(CASE.c.code == waiting.code)).scalar_one()
            != v2.id
        )

    assert migrate_command("testa", None, apply=True, db=db) == 1
    out = capsys.readouterr().out
    assert "1 件可迁移，1 件拒绝" in out and f"{stuck.code}: " in out
    with db.connect() as conn:
        after = dict(conn.execute(select(CASE.c.code, CASE.c.version_id)).all())
    assert after[waiting.code] == v2.id and after[stuck.code] == pinned[stuck.code]
    assert "migrated" in [e.kind for e in wf.timeline(dispatcher, waiting.code)]
    # the migrated case runs on: its 派单 ticket works under version 2
    assert wf.act(dispatcher, only_open(waiting), "派单", {}).step == "接单"


def test_the_cli_dry_run_reports_without_moving(
    wf: Engine, db: DbEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    receive(wf)
    versions.publish(db, renamed_step(make_county()), by="管理员")
    assert migrate_command("testa", 2, apply=False, db=db) == 0
    out = capsys.readouterr().out
    assert "预演" in out and "[可迁移]" in out
    assert migrate_command("testa", 7, apply=False, db=db) == 2
    assert "没有第 7 版" in capsys.readouterr().err


def test_yidi_cases_migrate_is_a_command(
    wf: Engine,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import server

    receive(wf)
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)
    monkeypatch.setenv("YIDI_DATA_DIR", str(tmp_path))
    assert server.main(["cases", "migrate", "testa"]) == 0
    assert "县区 testa → 第 1 版：0 件可迁移，0 件拒绝" in capsys.readouterr().out
    empty = tmp_path / "empty.db"
    monkeypatch.setenv("YIDI_DATABASE_URL", f"sqlite:///{empty}")
    assert server.main(["cases", "migrate", "testa"]) == 2
    assert "yidi db upgrade" in capsys.readouterr().err
