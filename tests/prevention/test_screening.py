"""Screening rounds (engine/screening.py): the worker opens one task per unit per round on the
county's calendar; the screener records the checklist; a found dispute becomes a case on
channel 排查 in one click, linked to its task; missed rounds are overdue and counted."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

import dsl
from dsl.prevention_model import Screening
from engine import periods, scheduler, screening, versions
from engine.clock import CST, ManualClock
from engine.errors import ActionRefused, ValidationFailed
from engine.prevention import Prevention
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.scheduler import JOB_RUN
from engine.tables import CASE, EVENT
from tests.prevention.rugao import (
    GRID,
    MONDAY,
    OTHER_GRID,
    RUGAO,
    SATURDAY,
    checklist,
    publish,
    utc,
)


def tasks_by_screening(db: Engine) -> Counter[str]:
    with db.connect() as conn:
        rows = conn.execute(select(TASK.c.screening, TASK.c.period)).all()
    return Counter(f"{name} {period}" for name, period in rows)


def jobs_done(db: Engine) -> set[str]:
    with db.connect() as conn:
        return set(conn.execute(select(JOB_RUN.c.job).where(JOB_RUN.c.status == "done")).scalars())


def test_each_round_opens_one_task_per_unit_once(db: Engine) -> None:
    model = publish(db)
    villages = screening.units(model, model.screenings["网格日查"])
    towns = screening.units(model, model.screenings["镇半月查"])
    assert len(villages) == 56 and len(towns) == 14  # centers.csv: 56 村居, 14 镇街
    scheduler.run_due(db, utc(MONDAY), worker_id="甲")
    assert {"排查:网格日查", "排查:村周查", "排查:镇半月查", "预警研判"} <= jobs_done(db)
    # a second poll, and a second worker, find every round of these periods done
    assert scheduler.run_due(db, utc(MONDAY + timedelta(hours=1)), worker_id="乙") == 0
    assert tasks_by_screening(db) == Counter(
        {"网格日查 2026-11-02": 56, "村周查 2026-W45": 56, "镇半月查 2026-11-H1": 14}
    )
    # the next day opens the next daily round only
    scheduler.run_due(db, utc(MONDAY + timedelta(days=1)), worker_id="甲")
    assert tasks_by_screening(db)["网格日查 2026-11-03"] == 56
    assert sum(tasks_by_screening(db).values()) == 56 * 3 + 14


def test_a_round_run_again_adds_no_task(db: Engine) -> None:
    """The table's UNIQUE (county, screening, period, center) stands even behind the job run."""
    model = publish(db)
    scheduler.run_due(db, utc(MONDAY), worker_id="甲")
    kind = scheduler.KINDS[screening.NAME]
    [job] = [j for j in kind.jobs(model) if j.args == ("网格日查",)]
    with db.begin() as conn:
        county_id = conn.execute(select(JOB_RUN.c.county_id)).scalars().first()
        period = job.due(utc(MONDAY))
        said = kind.run(scheduler.Run(conn, model, int(county_id), job, period, utc(MONDAY)))
    assert said == "2026年11月2日开出 0 个排查任务"
    assert tasks_by_screening(db)["网格日查 2026-11-02"] == 56


def test_a_daily_round_rests_on_the_calendars_days_off(db: Engine) -> None:
    publish(db)
    scheduler.run_due(db, utc(SATURDAY), worker_id="甲")
    with db.connect() as conn:
        results = dict(conn.execute(select(JOB_RUN.c.job, JOB_RUN.c.result)).all())
    assert results["排查:网格日查"] == "2026年11月7日为休息日，不开排查任务"
    assert "网格日查 2026-11-07" not in tasks_by_screening(db)


def test_half_month_periods() -> None:
    first = periods.containing("half_month", datetime(2026, 11, 15, 23, 59, tzinfo=CST))
    second = periods.containing("half_month", datetime(2026, 11, 16, 0, 0, tzinfo=CST))
    assert (first.key, first.label) == ("2026-11-H1", "2026年11月上半月")
    assert (second.key, second.label) == ("2026-11-H2", "2026年11月下半月")
    assert first.next() == second and second.previous() == first
    assert second.next().key == "2026-12-H1"
    assert periods.containing("half_month", datetime(2026, 12, 31, 12, tzinfo=CST)).next().key == (
        "2027-01-H1"
    )


def my_daily_task(db: Engine, service: Prevention) -> int:
    [task] = [t for t in service.tasks(GRID) if t["screening"] == "网格日查"]
    return int(task["id"])


def test_a_found_dispute_becomes_a_case_in_one_click(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    scheduler.run_due(db, clock.now(), worker_id="甲")
    service = Prevention(db, clock)
    # the grid member sees their village's tasks only: daily (theirs), not the weekly one
    mine = service.tasks(GRID)
    assert {(t["screening"], t["center"]) for t in mine} == {("网格日查", "东兴社区")}
    task_id = my_daily_task(db, service)
    with pytest.raises(ActionRefused, match="不是派给您的"):
        service.record(OTHER_GRID, task_id, checklist(True))
    with pytest.raises(ValidationFailed) as bad:
        service.record(GRID, task_id, {"checked": [], "发现纠纷": True})
    assert "排查" in str(bad.value) or bad.value.field_errors
    clock.set(utc(MONDAY + timedelta(hours=2)))
    done = service.record(GRID, task_id, checklist(True))
    assert done["state"] == "done" and done["found"] is True
    with pytest.raises(ActionRefused, match="已经填报过"):
        service.record(GRID, task_id, checklist(False))
    view = service.found_case(GRID, task_id)
    assert (view.channel, view.location, view.category) == ("排查", "东兴社区", "邻里纠纷")
    with db.connect() as conn:
        linked = conn.execute(select(TASK.c.case_id).where(TASK.c.id == task_id)).scalar_one()
        case_id = conn.execute(select(CASE.c.id).where(CASE.c.code == view.code)).scalar_one()
        notes = (
            conn.execute(
                select(EVENT.c.note).where(
                    EVENT.c.case_id == case_id, EVENT.c.kind == "from_screening"
                )
            )
            .scalars()
            .all()
        )
    assert linked == case_id
    assert notes == ["来自排查：网格员每日排查 · 2026年11月2日 · 东兴社区"]
    with pytest.raises(ActionRefused, match="已经转为案件"):
        service.found_case(GRID, task_id)


def test_nothing_found_cannot_become_a_case(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    scheduler.run_due(db, clock.now(), worker_id="甲")
    service = Prevention(db, clock)
    task_id = my_daily_task(db, service)
    with pytest.raises(ActionRefused, match="只有已填报且发现纠纷"):
        service.found_case(GRID, task_id)
    service.record(GRID, task_id, checklist(False))
    with pytest.raises(ActionRefused, match="只有已填报且发现纠纷"):
        service.found_case(GRID, task_id)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CASE)).scalar_one() == 0


def test_missed_rounds_are_overdue_and_counted(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    scheduler.run_due(db, clock.now(), worker_id="甲")
    service = Prevention(db, clock)
    task_id = my_daily_task(db, service)
    service.record(GRID, task_id, checklist(False))  # on time
    day = periods.containing("day", clock.now())
    # before the round ends nothing is due yet
    assert service.coverage("rugao", day.start, day.end).due == 0
    clock.set(day.end + timedelta(hours=1))  # Tuesday 01:00: Monday's round has ended
    [late] = [t for t in service.tasks(OTHER_GRID) if t["screening"] == "网格日查"]
    assert screening.overdue(late, clock.now())
    service.record(OTHER_GRID, int(late["id"]), checklist(False))  # done late
    found = service.coverage("rugao", day.start, day.end)
    assert (found.due, found.on_time, found.late, found.missed) == (56, 1, 1, 54)
    assert found.rate == pytest.approx(1 / 56)


def test_screening_model_is_what_rugao_declares(db: Engine) -> None:
    model = publish(db)
    assert model.screenings["镇半月查"] == Screening(
        key="镇半月查",
        name="镇（街道）每半月排查",
        role="调解员",
        level="镇",
        office="司法所",
        cadence="half_month",
        form="十项排查",
        line=model.screenings["镇半月查"].line,
    )


def test_a_daily_round_follows_its_own_calendar(db: Engine, tmp_path: Path) -> None:
    """`日历 网格日历`: a local day off (2 November, a Monday) in the round's calendar only."""
    folder = tmp_path / "rugao"
    shutil.copytree(RUGAO, folder)
    text = (folder / "prevention.yd").read_text(encoding="utf-8")
    text = text.replace("  周期 每日\n", "  周期 每日\n  日历 网格日历\n", 1)
    text += "\n日历 工作日\n日历 网格日历 {\n  放假 2026-11-02\n}\n"
    (folder / "prevention.yd").write_text(text, encoding="utf-8")
    versions.publish(db, dsl.compile_county(folder), by="测试")
    scheduler.run_due(db, utc(MONDAY), worker_id="甲")
    opened = tasks_by_screening(db)
    assert "网格日查 2026-11-02" not in opened and opened["村周查 2026-W45"] == 56
    scheduler.run_due(db, utc(MONDAY + timedelta(days=1)), worker_id="甲")
    assert tasks_by_screening(db)["网格日查 2026-11-03"] == 56
