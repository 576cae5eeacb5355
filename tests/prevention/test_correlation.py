"""Correlated warnings (engine/correlation.py): 如皋's rules raise one warning per cluster at
intake, attach later hits, explain each in Chinese, match normalised identifiers, and the
worker's daily pass catches cases intake could not correlate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from engine import correlation, scheduler, versions
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.prevention import Prevention
from engine.prevention_tables import WARNING, WARNING_HIT
from engine.tables import EVENT
from tests.prevention.rugao import (
    GRID,
    KEY,
    MONDAY,
    TOWN_DISPATCHER,
    publish,
    utc,
    without_prevention,
)

SUMMARY = "小区物业费上涨引发业主集体不满"


def receive(
    wf: Workflow,
    channel: str,
    *,
    party: dict[str, Any] | None = None,
    place: str = "东兴社区",
    category: str = "物业纠纷",
) -> str:
    who = party or {"name": f"业主{channel}", "role": "申请人", "phone": "13900000000"}
    view = wf.receive(
        "测试",
        KEY,
        channel=channel,
        category=category,
        severity="一般",
        location=place,
        parties=[who],
        data={
            "summary": SUMMARY,
            "location": {"town": "如城街道", "village": place},
        },
        visits=0,
    )
    return view.code


def warnings(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(WARNING).order_by(WARNING.c.id)).mappings()]


def lines_of(db: Engine, kind: str) -> list[str]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.note).where(EVENT.c.kind == kind).order_by(EVENT.c.id)
            ).scalars()
        )


def different_people(index: int) -> dict[str, Any]:
    return {"name": f"业主{index}", "role": "申请人", "phone": f"1390000{index:04d}"}


def test_the_fifth_case_of_one_clue_raises_an_orange_warning(db: Engine) -> None:
    """如皋: the same property dispute in one place, 12345 ×3 and 网格 ×2 in 30 days."""
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    for index, channel in enumerate(["12345", "12345", "网格", "12345"]):
        receive(wf, channel, party=different_people(index))
        clock.set(clock.now() + timedelta(days=5))
        assert warnings(db) == []
    receive(wf, "网格", party=different_people(4))
    [warning] = warnings(db)
    assert (warning["grade"], warning["state"], warning["hits"]) == ("橙", "open", 5)
    assert warning["explanation"] == "同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2"
    # the work order goes to the town's dispatcher above the village
    assert (warning["center"], warning["role"], warning["town"]) == (
        "如城街道",
        "调度员",
        "如城街道",
    )
    assert lines_of(db, "warning_raised") == [
        "同一线索五次预警（橙色预警）：同一地点、事项 30 天内第 5 次，来源：12345×3、网格×2"
    ]
    assert [w["id"] for w in Prevention(db, clock).warnings(TOWN_DISPATCHER)] == [warning["id"]]
    assert Prevention(db, clock).warnings(GRID) == []


def test_later_hits_attach_to_the_open_warning(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    for index in range(7):
        receive(wf, "12345", party=different_people(index))
    [warning] = warnings(db)
    assert warning["hits"] == 7
    assert warning["explanation"] == "同一地点、事项 30 天内第 7 次，来源：12345×7"
    with db.connect() as conn:
        attached = (
            conn.execute(
                select(WARNING_HIT.c.warning_id).where(WARNING_HIT.c.rule == "同一线索五次")
            )
            .scalars()
            .all()
        )
    assert attached == [warning["id"]] * 7
    assert len(lines_of(db, "warning_hit")) == 2


def test_three_channels_are_enough(db: Engine) -> None:
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    for index, channel in enumerate(["12345", "网格", "110"]):
        receive(wf, channel, party=different_people(index))
    [warning] = warnings(db)
    assert (
        warning["explanation"]
        == "同一地点、事项 30 天内第 3 次，来源：110×1、12345×1、网格×1（3 个渠道）"
    )


def test_hits_older_than_the_window_do_not_count(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    for index in range(4):
        receive(wf, "12345", party=different_people(index))
    clock.set(clock.now() + timedelta(days=30, minutes=1))
    receive(wf, "12345", party=different_people(9))
    assert warnings(db) == []


def test_other_places_and_subjects_are_other_clusters(db: Engine) -> None:
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    for index in range(4):
        receive(wf, "12345", party=different_people(index))
    receive(wf, "12345", party=different_people(5), place="西河社区")
    receive(wf, "12345", party=different_people(6), category="邻里纠纷")
    assert warnings(db) == []


def test_one_party_is_matched_on_normalised_id_number_and_phone(db: Engine) -> None:
    """同一当事人: the same ID number, once with a lower-case x, is one person whatever the
    phone, name, channel or subject; the warning names no personal data."""
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    spellings = [
        {"name": "冒一", "phone": "13800001111", "id_number": "32068219800101127X"},
        {"name": "冒小一", "phone": "13700002222", "id_number": "32068219800101127x"},
        {"name": "冒一", "phone": "13600003333", "id_number": "32068219800101127X"},
    ]
    for index, party in enumerate(spellings):
        receive(
            wf,
            ["来访", "12345", "信访"][index],
            party={**party, "role": "申请人"},
            category=["邻里纠纷", "土地纠纷", "婚姻家庭"][index],
        )
    found = [w for w in warnings(db) if w["rule"] == "同一当事人三次"]
    assert len(found) == 1
    assert found[0]["grade"] == "黄" and found[0]["hits"] == 3
    assert found[0]["explanation"].startswith("同一当事人 30 天内第 3 次，来源：")
    assert "1380000" not in found[0]["explanation"] and "320682" not in found[0]["explanation"]


def test_identifiers_are_normalised() -> None:
    assert correlation.id_number(" 32068219800101123x ") == "32068219800101123X"
    assert correlation.id_number("３２０６８２１９８００１０１１２３Ｘ") == "32068219800101123X"
    assert correlation.id_number("1234") is None
    assert correlation.phone("+86 138-0000-1111") == "13800001111"
    assert correlation.phone("0086 13800001111") == "13800001111"
    assert correlation.phone("0513-87512345") == "051387512345"
    assert correlation.phone("12") is None


def test_a_closed_warning_lets_the_cluster_warn_again(db: Engine) -> None:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    service = Prevention(db, clock)
    for index in range(5):
        receive(wf, "12345", party=different_people(index))
    [first] = warnings(db)
    with pytest.raises(ActionRefused, match="请填写处置情况"):
        service.close_warning(TOWN_DISPATCHER, first["id"], "  ")
    with pytest.raises(ActionRefused, match="不是派给您的"):
        service.close_warning(GRID, first["id"], "已处置")
    service.close_warning(TOWN_DISPATCHER, first["id"], "已约谈物业公司，业主委员会牵头协商")
    with pytest.raises(ActionRefused, match="已经办结"):
        service.close_warning(TOWN_DISPATCHER, first["id"], "再办一次")
    receive(wf, "12345", party=different_people(8))
    closed, again = warnings(db)
    assert closed["state"] == "closed" and closed["note"].startswith("已约谈物业公司")
    assert again["state"] == "open" and again["hits"] == 6


def test_the_letter_hook_runs_in_the_raising_transaction(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook another branch's 风险预警函 registers: called once, with the new warning."""
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(correlation, "RAISED", [lambda conn, county, row: seen.append(row)])
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    for index in range(6):
        receive(wf, "12345", party=different_people(index))
    assert [(row["rule"], row["grade"], row["hits"]) for row in seen] == [("同一线索五次", "橙", 5)]


def test_the_worker_correlates_yesterdays_cases_once(db: Engine, tmp_path: Path) -> None:
    """Cases received before the rule was published: the worker's daily pass warns of them."""
    versions.publish(db, without_prevention(tmp_path), by="测试")
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    for index in range(5):
        receive(wf, "12345", party=different_people(index))
    assert warnings(db) == []
    publish(db)
    next_day = utc(MONDAY) + timedelta(days=1)
    scheduler.run_due(db, next_day, worker_id="甲")
    scheduler.run_due(db, next_day + timedelta(hours=1), worker_id="乙")
    [warning] = warnings(db)
    assert warning["hits"] == 5 and warning["explanation"].endswith("来源：12345×5")
    with db.connect() as conn:
        result = (
            conn.execute(
                select(scheduler.JOB_RUN.c.result).where(scheduler.JOB_RUN.c.job == "预警研判")
            )
            .scalars()
            .all()
        )
    assert "2026年11月2日受理 5 件，新增预警 1 条" in result


def test_when_no_rule_is_declared_nothing_is_recorded(db: Engine, tmp_path: Path) -> None:
    versions.publish(db, without_prevention(tmp_path), by="测试")
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    for index in range(6):
        receive(wf, "12345", party=different_people(index))
    with db.connect() as conn:
        assert conn.execute(select(WARNING_HIT.c.id)).first() is None


def test_the_worker_warns_of_hits_intake_did_not_count_together(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two intakes of one cluster at the same moment on PostgreSQL each see only their own
    hit: simulated by intake recording hits without evaluating them. The daily pass
    evaluates the clusters of yesterday's cases again and raises the warning once."""
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    with monkeypatch.context() as patched:
        patched.setattr(correlation, "_evaluate", lambda *args: None)
        for index in range(5):
            receive(wf, "12345", party=different_people(index))
    assert warnings(db) == []
    scheduler.run_due(db, utc(MONDAY) + timedelta(days=1), worker_id="甲")
    [warning] = warnings(db)
    assert warning["hits"] == 5


def test_many_clusters_warn_one_after_another(db: Engine) -> None:
    """Seven places reach the rule one after another: seven new warnings on one connection
    (on PostgreSQL psycopg prepares a statement on the server from its fifth run: the partial
    index must still be found for the insert's ON CONFLICT)."""
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    villages = ["东兴社区", "西河社区", "南庄社区", "北湖社区", "新桥社区", "长青社区", "永安社区"]
    for place in villages:
        for index in range(5):
            receive(wf, "12345", party=different_people(index), place=place)
    clue = [w["hits"] for w in warnings(db) if w["rule"] == "同一线索五次"]
    assert clue == [5] * 7
