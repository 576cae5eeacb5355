"""The court link (诉调对接, engine/court.py) on the seed county 如皋: a failed mediation goes
to the fast-track court and waits for it (filing, hearing, result: closed or sent back), an
agreement goes for judicial confirmation, a court referral runs on its own deadline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl import compile_county
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.court_records import COURT_MATTER
from engine.errors import ActionRefused, ValidationFailed
from engine.views import CaseView
from tests.engine.counties import MONDAY, person

RUGAO = Path(__file__).resolve().parents[2] / "definitions" / "rugao"
CITY, TOWN, VILLAGE = "如皋市中心", "如城街道", "东兴社区"
FAILED = {"method": "人民调解", "result": "调解不成", "notes": "双方对赔偿金额分歧较大，调解不成"}
AGREED = {
    "method": "人民调解",
    "result": "化解成功",
    "notes": "双方签订调解协议，约定分期付款",
    "agreement": True,
    "judicial_confirmation": True,
}


@pytest.fixture
def rg(db: DbEngine) -> Engine:
    versions.publish(db, compile_county(RUGAO), by="测试")
    return Engine(db, ManualClock(MONDAY))


DISPATCHER = person("rugao", "d", (VILLAGE, "调度员", None), (VILLAGE, "窗口人员", None))
MEDIATOR = person("rugao", "m", (VILLAGE, "调解员", "人民调解委员会"))
LIAISON = person("rugao", "court", (CITY, "法院联络员", "法院"))


def intake(**changes: Any) -> dict[str, Any]:
    party = {"name": "冒一", "role": "申请人", "phone": "13800001111"}
    data = {"location": {"town": TOWN}, "summary": "相邻宅基地排水沟堵塞引发争执"}
    facts = {"channel": "来访", "category": "邻里纠纷", "severity": "一般", "location": VILLAGE}
    return {**facts, "parties": [party], "data": data, **changes}


def only(view: CaseView) -> int:
    tickets = [t for t in view.open_tickets() if t.kind != "supervision"]
    assert len(tickets) == 1, tickets
    return tickets[0].id


def back_office(channel: str) -> dict[str, Any]:
    """The 受理登记 the window hands to the back office (转后台)."""
    facts = {"channel": channel, "category": "邻里纠纷", "severity": "一般"}
    return {**intake()["data"], **facts, "parties": intake()["parties"]}


def to_mediation(rg: Engine) -> CaseView:
    view = rg.receive("窗口", "rugao", **intake())
    view = rg.act(DISPATCHER, only(view), "转后台", back_office("来访"))
    return rg.act(DISPATCHER, only(view), "派单", {"office": "人民调解委员会"})


def to_court(rg: Engine) -> CaseView:
    view = to_mediation(rg)
    return rg.act(MEDIATOR, only(view), "转速裁", {"channel": "速裁"})


def matters(db: DbEngine, case_id: int) -> list[Any]:
    with db.connect() as conn:
        return list(conn.execute(select(COURT_MATTER).where(COURT_MATTER.c.case_id == case_id)))


def test_a_failed_mediation_waits_for_the_fast_track_court_then_closes(
    rg: Engine, db: DbEngine
) -> None:
    view = to_court(rg)
    assert (view.status, view.step) == ("open", "等待法院")
    ticket = next(t for t in view.open_tickets() if t.kind == "court")
    assert (ticket.center, ticket.office, ticket.role) == (CITY, "法院", "法院联络员")
    assert [a.key for a in rg.available_actions(LIAISON, ticket.id)] == [
        "登记立案",
        "登记开庭",
        "登记结果",
    ]
    assert rg.available_actions(MEDIATOR, ticket.id) == []
    with pytest.raises(ValidationFailed):
        rg.act(LIAISON, ticket.id, "登记立案", {"court_case_number": "（2026）苏0682民初1号"})
    with pytest.raises(ActionRefused, match="不在合理范围内"):  # year 1 overflows in UTC
        rg.act(LIAISON, ticket.id, "登记立案", {"court_case_number": "（2026）苏0682民初1号",
               "filed_on": "0001-01-01"})  # fmt: skip
    view = rg.act(
        LIAISON,
        ticket.id,
        "登记立案",
        {"court_case_number": "（2026）苏0682民初1号", "filed_on": "2026-11-18"},
    )
    view = rg.act(LIAISON, only(view), "登记开庭", {"hearing_on": "2026-11-25"})
    assert (view.status, view.step) == ("open", "等待法院")
    view = rg.act(
        LIAISON, only(view), "登记结果", {"disposition": "结案", "result": "速裁调解结案"}
    )
    assert view.status == "closed" and view.open_tickets() == []
    [row] = matters(db, view.id)
    assert (row.kind, row.route, row.after_failed_mediation) == ("hand_off", "速裁", True)
    assert row.court_case_number == "（2026）苏0682民初1号"
    assert (row.filed_at.date().isoformat(), row.decision, row.result) == (
        "2026-11-17",  # stored in UTC: the start of the 18th in China
        "closed",
        "速裁调解结案",
    )
    kinds = [e.kind for e in rg.timeline(LIAISON, view.code)]
    assert kinds.index("court_hand_off") < kinds.index("court_filed") < kinds.index("closed")


def test_the_court_sends_the_case_back_to_mediation(rg: Engine, db: DbEngine) -> None:
    view = to_court(rg)
    view = rg.act(
        LIAISON, only(view), "登记结果", {"disposition": "退回调解", "result": "诉前委派调解"}
    )
    assert (view.status, view.step, view.diversion, view.outcome) == ("open", "调解", None, None)
    ticket = rg.available_actions(MEDIATOR, only(view))
    assert "调解成功" in [a.key for a in ticket]
    view = rg.act(MEDIATOR, only(view), "调解成功", {**AGREED, "judicial_confirmation": False})
    assert view.status == "closed" and view.outcome == "化解成功"
    assert [r.decision for r in matters(db, view.id)] == ["sent_back"]


def test_an_agreement_goes_for_judicial_confirmation(rg: Engine, db: DbEngine) -> None:
    view = to_mediation(rg)
    view = rg.act(MEDIATOR, only(view), "调解成功", AGREED)
    assert (view.status, view.step) == ("open", "待司法确认")
    assert [a.key for a in rg.available_actions(LIAISON, only(view))] == ["登记确认结果"]
    view = rg.act(
        LIAISON, only(view), "登记确认结果", {"decision": "不予确认", "result": "协议违反法律"}
    )
    assert (view.status, view.step) == ("open", "调解")
    view = rg.act(MEDIATOR, only(view), "调解成功", AGREED)  # mediated again, asked again
    assert view.step == "待司法确认"
    view = rg.act(LIAISON, only(view), "登记确认结果", {"decision": "确认有效"})
    assert view.status == "closed" and view.resolved is True
    assert [(r.kind, r.decision) for r in matters(db, view.id)] == [
        ("confirmation", "refused"),
        ("confirmation", "confirmed"),
    ]


def test_without_the_box_ticked_an_agreement_closes(rg: Engine, db: DbEngine) -> None:
    view = to_mediation(rg)
    view = rg.act(MEDIATOR, only(view), "调解成功", {**AGREED, "judicial_confirmation": False})
    assert view.status == "closed" and matters(db, view.id) == []


def test_the_liaison_cannot_record_once_decided(rg: Engine) -> None:
    view = to_court(rg)
    ticket = only(view)
    rg.act(LIAISON, ticket, "登记结果", {"disposition": "结案", "result": "判决结案"})
    with pytest.raises(ActionRefused, match="已由"):
        rg.act(LIAISON, ticket, "登记结果", {"disposition": "结案", "result": "判决结案"})


def test_a_court_referral_runs_on_its_own_deadline(rg: Engine) -> None:
    walk_in = rg.receive("窗口", "rugao", **intake())
    referral = rg.receive("法院", "rugao", **intake(channel="法院委派"))
    assert walk_in.due_at is not None and referral.due_at is not None
    assert walk_in.due_at - walk_in.received_at == timedelta(days=3)  # 村 3 天
    assert referral.due_at - referral.received_at == timedelta(days=30)  # 委派 30 天


def test_the_court_figures(rg: Engine, db: DbEngine) -> None:
    from engine.reports import court as figures
    from engine.reports.cohorts import Context
    from engine.reports.periods import month_of
    from engine.reports.scope import Scope

    handed = to_court(rg)  # 调解不成 -> 速裁, then the court concludes it
    rg.act(LIAISON, only(handed), "登记结果", {"disposition": "结案", "result": "判决结案"})
    back = to_court(rg)  # sent back by the court
    rg.act(LIAISON, only(back), "登记结果", {"disposition": "退回调解", "result": "委派调解"})
    to_court(rg)  # still with the court
    agreed = rg.act(MEDIATOR, only(to_mediation(rg)), "调解成功", AGREED)
    rg.act(LIAISON, only(agreed), "登记确认结果", {"decision": "确认有效"})
    referral = rg.receive("法院", "rugao", **intake(channel="法院委派"))
    referral = rg.act(DISPATCHER, only(referral), "转后台", back_office("法院委派"))
    referral = rg.act(DISPATCHER, only(referral), "派单", {"office": "人民调解委员会"})
    rg.act(MEDIATOR, only(referral), "调解成功", {**AGREED, "judicial_confirmation": False})
    rg.receive("法院", "rugao", **intake(channel="法院委派"))  # a second one, still open
    county = compile_county(RUGAO)
    ctx = Context(
        versions.county_id(db, "rugao"),
        month_of(MONDAY.date()),
        Scope(county, frozenset(county.centers)),
    )
    with db.connect() as conn:
        found = {m.label: figures.totals(conn, ctx)[m.key].display for m in figures.METRICS}
    assert found == {
        "法院委派数": "2",
        "诉前调解办结数": "1",
        "诉前调解成功数": "1",
        "诉前调解成功率": "100.0%",
        "申请司法确认数": "1",
        "司法确认数": "1",
        "不予确认数": "0",
        "司法确认率": "100.0%",
        "移送法院数": "3",
        "调解不成移送数": "3",
        "法院结案数": "1",
        "法院退回调解数": "1",
        "等待法院数": "1",
    }
