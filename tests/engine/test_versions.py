"""Publishing versions, cases pinned to theirs, and the migration dry-run and apply."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import OperationalError

from dsl.model import County
from engine import flow, migration, versions
from engine.cases import Engine
from engine.cases_cli import migrate_command
from engine.errors import NotFound
from engine.migration import CaseMapping, MigrationPlan, MigrationResult
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


def test_apply_refuses_cases_that_moved_on_after_the_dry_run(
    wf: Engine, db: DbEngine, dispatcher: Principal, mediator: Principal
) -> None:
    corrupting = receive(wf)  # at 派单 in the plan; then moves on to 办理, which v2 lacks
    stale = receive(wf)  # at 派单 in the plan; then moves on to 接单, which v2 has
    steady = receive(wf)  # untouched between the plan and the apply
    v2 = versions.publish(db, renamed_step(make_county()), by="管理员")
    plan = versions.plan_migration(db, "testa", v2.id)
    assert {c.code for c in plan.movable} == {corrupting.code, stale.code, steady.code}
    at_accept = wf.act(dispatcher, only_open(corrupting), "派单", {})
    at_handling = wf.act(mediator, only_open(at_accept), "接单", {})
    wf.act(dispatcher, only_open(stale), "派单", {})

    result = versions.migrate_cases(db, plan)
    assert result.moved == (steady.code,)
    reasons = dict(result.refused)
    assert reasons[corrupting.code].startswith("案件自预览后已变化（当前步骤「派单」→「办理」）")
    assert "新版本没有步骤「办理」" in reasons[corrupting.code]
    assert reasons[stale.code].startswith("案件自预览后已变化（当前步骤「派单」→「接单」）")
    with db.connect() as conn:
        after = dict(conn.execute(select(CASE.c.code, CASE.c.version_id)).all())
    assert after[corrupting.code] == after[stale.code] != v2.id == after[steady.code]
    assert "migrated" not in [e.kind for e in wf.timeline(dispatcher, corrupting.code)]
    # the refused case still runs on its own version: its 办理 ticket offers its actions
    offered = [a.key for a in wf.available_actions(mediator, only_open(at_handling))]
    assert "调解成功" in offered


def _waits_on_a_lock(db: DbEngine, worker: threading.Thread) -> bool:
    """Whether `worker` comes to wait on a row lock (PostgreSQL) before it ends."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(3000):  # a bound for a broken build only: a waiting worker never ends
        with db.connect() as conn:
            if conn.execute(query).scalar_one():
                return True
        if not worker.is_alive():
            return False
        time.sleep(0.01)
    return False


def test_an_action_in_flight_during_the_apply_is_not_overwritten(
    wf: Engine,
    db: DbEngine,
    dispatcher: Principal,
    mediator: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The action 接单 has finished its ticket and opened 办理 (which v2 lacks) but not yet
    committed when the migration runs: the migration waits for it, then refuses the case."""
    view = wf.act(dispatcher, only_open(receive(wf)), "派单", {})  # at 接单, which v2 has
    v2 = versions.publish(db, renamed_step(make_county()), by="管理员")
    plan = versions.plan_migration(db, "testa", v2.id)
    assert [c.code for c in plan.movable] == [view.code]

    saving, inside, release = flow.save, threading.Event(), threading.Event()

    def paused_save(move: flow.Move) -> None:
        inside.set()
        release.wait(30)
        saving(move)

    monkeypatch.setattr(flow, "save", paused_save)
    outcomes: list[object] = []

    def run(work: Callable[[], object]) -> threading.Thread:
        def guarded() -> None:
            try:
                outcomes.append(work())
            except BaseException as error:  # reported below, not lost in the thread
                outcomes.append(error)

        thread = threading.Thread(target=guarded)
        thread.start()
        return thread

    actor = run(lambda: wf.act(mediator, only_open(view), "接单", {}))
    assert inside.wait(30)
    migrator = run(lambda: versions.migrate_cases(db, plan))
    if db.dialect.name == "postgresql":  # it waits for the action, not moves past it
        assert _waits_on_a_lock(db, migrator)
    # (SQLite: its BEGIN IMMEDIATE queues behind the paused action's transaction)
    release.set()
    actor.join()
    migrator.join()

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    [result] = [o for o in outcomes if isinstance(o, MigrationResult)]
    assert result.moved == () and [code for code, _ in result.refused] == [view.code]
    assert "新版本没有步骤「办理」" in result.refused[0][1]
    after = wf.case(mediator, view.code)
    assert after is not None and after.step == "办理"
    with db.connect() as conn:
        assert (
            conn.execute(select(CASE.c.version_id).where(CASE.c.code == view.code)).scalar_one()
            != v2.id
        )
    offered = [a.key for a in wf.available_actions(mediator, only_open(after))]
    assert "调解成功" in offered


def _without(county: County, part: str, key: str) -> County:
    kept = {k: v for k, v in getattr(county, part).items() if k != key}
    return dataclasses.replace(county, **{part: kept})


def _office_leaves_villages(county: County) -> County:
    office = dataclasses.replace(county.offices["人民调解委员会"], levels=("镇",))
    return dataclasses.replace(county, offices={**county.offices, "人民调解委员会": office})


@pytest.mark.parametrize(
    ("change", "accepted", "reason"),
    [
        (lambda c: _without(c, "categories", "邻里纠纷"), False, "新版本没有案件类别「邻里纠纷」"),
        (
            lambda c: _without(c, "centers", "城关镇/东门村"),
            False,
            "新版本没有中心「城关镇/东门村」",
        ),
        (
            lambda c: _without(c, "offices", "人民调解委员会"),
            False,
            "新版本没有承办单位「人民调解委员会」",
        ),
        (
            lambda c: _without(c, "roles", "调度员"),
            False,
            "待办单「派单」：新版本没有角色「调度员」",
        ),
        (
            _office_leaves_villages,
            True,
            "待办单「接单」：单位「人民调解委员会」在新版本中未入驻「城关镇/东门村」",
        ),
    ],
    ids=["category", "center", "office", "role", "stationing"],
)
def test_a_case_whose_organisation_is_gone_in_the_new_version_is_refused(
    wf: Engine,
    db: DbEngine,
    dispatcher: Principal,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[County], County],
    accepted: bool,
    reason: str,
) -> None:
    case = receive(wf)
    if accepted:
        wf.act(dispatcher, only_open(case), "派单", {})  # its 接单 ticket is the office's
    v2 = versions.publish(db, change(make_county()), by="管理员")
    plan = versions.plan_migration(db, "testa", v2.id)
    assert plan.movable == [] and [c.code for c in plan.refused] == [case.code]

    assert migrate_command("testa", v2.number, apply=False, db=db) == 0
    out = capsys.readouterr().out
    assert f"{case.code} [拒绝]" in out and reason in out

    result = versions.migrate_cases(db, plan)
    assert result.moved == () and reason in dict(result.refused)[case.code]
    with db.connect() as conn:
        assert (
            conn.execute(select(CASE.c.version_id).where(CASE.c.code == case.code)).scalar_one()
            != v2.id
        )


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_a_case_lost_to_a_deadlock_is_refused_and_the_rest_move_on(
    wf: Engine, db: DbEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL may end one of two transactions waiting on each other (an action written
    without the case lock first): that case is reported, not a stack trace; others move."""
    unlucky, lucky = receive(wf), receive(wf)
    v2 = versions.publish(db, renamed_step(make_county()), by="管理员")
    plan = versions.plan_migration(db, "testa", v2.id)
    moving = migration._move

    def deadlocked(conn: Connection, new: County, to: MigrationPlan, case: CaseMapping) -> None:
        if case.code == unlucky.code:
            raise OperationalError("UPDATE case", {}, _DriverError("40P01"))
        moving(conn, new, to, case)

    monkeypatch.setattr(migration, "_move", deadlocked)
    result = versions.migrate_cases(db, plan)
    assert result.moved == (lucky.code,)
    assert dict(result.refused)[unlucky.code].startswith("与同时进行的办理操作冲突")

    def broken(conn: Connection, new: County, to: MigrationPlan, case: CaseMapping) -> None:
        raise OperationalError("UPDATE case", {}, _DriverError("08006"))  # connection lost

    monkeypatch.setattr(migration, "_move", broken)
    with pytest.raises(OperationalError):
        versions.migrate_cases(db, versions.plan_migration(db, "testa", v2.id))


ROOT = Path(__file__).resolve().parents[2]


def test_a_cold_cache_compiles_a_stored_version_under_its_own_county_key(db: DbEngine) -> None:
    """The restart fault: a new process has no compiled models, so each version compiles again
    from its stored files. It must come back as the same county (key and content hash), never as
    a model named after a temporary folder that no user's county matches."""
    import dsl

    model = dsl.compile_county(ROOT / "definitions" / "xiaogan")
    published = versions.publish(db, model, by="seed")
    versions._MODELS.clear()  # what a restart (or another web worker) starts with
    again = versions.county_for_version(db, published.id)
    assert again.key == "xiaogan"
    assert again.content_hash == published.content_hash
    versions._MODELS.clear()
    assert versions.current_county(db, "xiaogan").key == "xiaogan"


def test_a_stored_version_that_compiles_to_other_content_is_refused(db: DbEngine) -> None:
    import dsl

    model = dsl.compile_county(ROOT / "definitions" / "xiaogan")
    published = versions.publish(db, model, by="seed")
    versions._MODELS.clear()
    with db.begin() as conn:  # the stored files no longer say what the hash says
        conn.execute(
            versions.VERSION.update()
            .where(versions.VERSION.c.id == published.id)
            .values(
                files={
                    **model.files,
                    "county.yd": model.files["county.yd"] + "\n# 改\n角色 新角色\n",
                }
            )
        )
    with pytest.raises(versions.VersionMismatch, match="拒绝以另一模型运行"):
        versions.county_for_version(db, published.id)
