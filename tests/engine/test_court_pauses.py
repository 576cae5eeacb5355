"""中止/延期 (engine/pauses.py) of a case received on a court referral channel (委派 CHANNEL
时限 …): the referral's own deadline governs, as it did the case's due time at intake, not the
process's 整体时限 (which in 如皋 allows 延期 and escalates; the referral's does neither)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl import compile_county
from dsl.model import Duration
from engine import timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.views import CaseView
from tests.engine.counties import MONDAY
from tests.engine.test_court import DISPATCHER, MEDIATOR, RUGAO, back_office, intake, only

REFERRAL = "    默认 30 天\n    到 80% 提醒\n"


def publish(db: DbEngine, tmp_path: Path, allow: str = "") -> Engine:
    """如皋, its referral deadline optionally allowing 中止/延期 (`allow`)."""
    source = tmp_path / "rugao"
    shutil.copytree(RUGAO, source)
    county = source / "county.yd"
    text = county.read_text(encoding="utf-8")
    assert REFERRAL in text
    county.write_text(text.replace(REFERRAL, REFERRAL + allow), encoding="utf-8")
    versions.publish(db, compile_county(source), by="测试")
    return Engine(db, ManualClock(MONDAY))


def at_mediation(rg: Engine, channel: str) -> CaseView:
    """A case at 调解, a step without its own deadline: the case's deadline governs there."""
    system = "法院" if channel == "法院委派" else "窗口"
    view = rg.receive(system, "rugao", **intake(channel=channel))
    view = rg.act(DISPATCHER, only(view), "转后台", back_office(channel))
    return rg.act(DISPATCHER, only(view), "派单", {"office": "人民调解委员会"})


def case_stages(db: DbEngine, case_id: int) -> list[str]:
    """The kinds of the case deadline's pending stage timers (not a ticket's)."""
    t = timers.timer
    with db.connect() as conn:
        rows = conn.execute(
            select(t.c.kind).where(
                t.c.case_id == case_id, t.c.ticket_id.is_(None), t.c.fired_at.is_(None)
            )
        )
        return sorted(kind for (kind,) in rows if not kind.startswith("response_"))


def test_a_referral_cannot_be_extended_where_its_own_deadline_does_not_allow_it(
    db: DbEngine, tmp_path: Path
) -> None:
    rg = publish(db, tmp_path)
    days = Duration(5, "day")
    walk_in = at_mediation(rg, "来访")  # the process's 整体时限: 允许 延期, 审批人 负责人
    moved = rg.extend(MEDIATOR, only(walk_in), amount=days, reason="当事人外出", approver="王主任")
    assert walk_in.due_at is not None and moved.due_at == walk_in.due_at + timedelta(days=5)
    referral = at_mediation(rg, "法院委派")
    with pytest.raises(ActionRefused, match="不允许延期"):
        rg.extend(MEDIATOR, only(referral), amount=days, reason="当事人外出", approver="王主任")


def test_a_suspended_referral_resumes_on_its_own_deadline(db: DbEngine, tmp_path: Path) -> None:
    rg = publish(db, tmp_path, "    允许 中止\n")  # the process's 整体时限 does not allow 中止
    referral = at_mediation(rg, "法院委派")
    stages = case_stages(db, referral.id)
    assert stages and "escalate" not in stages  # the referral's: 提醒, 亮 红, 督办
    rg.suspend(MEDIATOR, only(referral), reason="等待鉴定结论")
    assert case_stages(db, referral.id) == []
    assert isinstance(rg.clock, ManualClock)
    rg.clock.advance(timedelta(days=4))
    resumed = rg.resume(MEDIATOR, only(referral), reason="鉴定结论已出")
    assert referral.due_at is not None
    assert resumed.due_at == referral.due_at + timedelta(days=4)  # 30 天: calendar days
    assert case_stages(db, referral.id) == stages  # not the process's 亮 黄, 提级


def test_an_extended_referral_keeps_its_own_deadline_stages(db: DbEngine, tmp_path: Path) -> None:
    rg = publish(db, tmp_path, "    允许 延期\n")
    referral = at_mediation(rg, "法院委派")
    stages = case_stages(db, referral.id)
    # An approver is named though the referral's deadline asks for none (the process's does):
    # the extension goes through either way, its stages are what tells the deadlines apart.
    ten = Duration(10, "day")
    moved = rg.extend(MEDIATOR, only(referral), amount=ten, reason="补充证据", approver="王主任")
    assert referral.due_at is not None and moved.due_at == referral.due_at + timedelta(days=10)
    assert case_stages(db, referral.id) == stages  # not the process's 亮 黄, 提级
