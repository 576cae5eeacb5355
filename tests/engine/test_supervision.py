"""Supervision as a duty (engine/supervision.py, engine/supervision_link.py) on the seed county
孝感: its 督办单 is a link of the 五单 chain beside 接单 and 办理, and its 督办员 (县) and
负责人 (市) issue 督办单 by hand to an office, which replies; a late reply escalates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

from engine import firing, supervision, timers
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused, NotFound
from engine.views import CaseView
from tests.engine.counties import person
from tests.engine.test_xiaogan import TOWN, intake, xg  # noqa: F401  (the fixture)

COUNTY_CENTER, CITY = "孝南区中心", "孝感市综治中心"
DISPATCHER = person("xiaogan", "d", (TOWN, "调度员", "综治中心"))
HANDLER = person("xiaogan", "h", (TOWN, "承办人", "人民调解委员会"))
SUPERVISOR = person("xiaogan", "s", (COUNTY_CENTER, "督办员", None))
CITY_HEAD = person("xiaogan", "c", (CITY, "负责人", None))


def dispatched(xg: Engine) -> CaseView:  # noqa: F811
    view = xg.receive("窗口", "xiaogan", **intake())
    [dispatch] = view.open_tickets()
    return xg.act(DISPATCHER, dispatch.id, "派发", {"office": "人民调解委员会"})


def work(view: CaseView) -> int:
    [ticket] = [t for t in view.open_tickets() if t.kind != "supervision"]
    return ticket.id


def notices(db: DbEngine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(supervision.NOTICE)).scalar_one())


def fire(xg: Engine) -> int:  # noqa: F811
    return timers.fire_due(xg.db, xg.clock, firing.fire)


def test_the_link_runs_beside_acceptance_and_handling_then_closes(xg: Engine) -> None:  # noqa: F811
    view = dispatched(xg)
    [link] = [t for t in view.open_tickets() if t.kind == "supervision"]
    assert (link.name, link.step, link.center, link.office, link.role) == (
        "督办单", "督办单", COUNTY_CENTER, None, "督办员"
    )  # fmt: skip
    assert xg.available_actions(SUPERVISOR, link.id) == []  # it follows; nothing blocks on it
    view = xg.act(HANDLER, work(view), "接收", {})
    assert [t.id for t in view.open_tickets() if t.kind == "supervision"] == [link.id]
    assert view.step == "办理"  # the chain went on without the link
    result = {"method": "人民调解", "result": "化解成功", "notes": "双方达成调解协议并签字"}
    view = xg.act(HANDLER, work(view), "化解", result)
    assert view.step == "评单"
    assert not [t for t in view.open_tickets() if t.kind == "supervision"]
    kinds = [e.kind for e in xg.timeline(SUPERVISOR, view.code)]
    assert kinds.count("supervision_link_opened") == 1
    assert kinds.count("supervision_link_closed") == 1


def test_a_supervisor_issues_a_supervision_notice_and_the_office_replies(xg: Engine) -> None:  # noqa: F811
    view = dispatched(xg)
    view = xg.supervise(
        SUPERVISOR, view.code, office="人民调解委员会", reason="群众多次来电，请加快办理", days=2
    )
    assert view.supervised is True
    [notice] = [t for t in view.open_tickets() if t.kind == "supervision" and t.office]
    assert (notice.center, notice.office, notice.role) == (TOWN, "人民调解委员会", "承办人")
    assert notice.due_at == xg.clock.now() + timedelta(days=2)  # Monday -> Wednesday, 2 workdays
    [answer] = xg.available_actions(HANDLER, notice.id)
    assert (answer.key, answer.requires_reason) == ("回复督办", True)
    with pytest.raises(ActionRefused, match="必须填写理由"):
        xg.act(HANDLER, notice.id, "回复督办", {}, reason="  ")
    xg.clock.advance(timedelta(days=1))
    view = xg.act(HANDLER, notice.id, "回复督办", {}, reason="已约双方周四调解")
    with xg.db.connect() as conn:
        row = conn.execute(select(supervision.NOTICE)).mappings().one()
    assert (row["late"], row["reply"], row["replied_by"]) == (False, "已约双方周四调解", "h")
    events = {e.kind: e for e in xg.timeline(SUPERVISOR, view.code)}
    assert "督办人民调解委员会：群众多次来电" in events["supervision_issued"].note
    assert events["supervision_replied"].note == "人民调解委员会按期回复：已约双方周四调解"
    with xg.db.connect() as conn:  # its reply timers went with the reply
        left = conn.execute(
            select(func.count()).where(timers.timer.c.ticket_id == notice.id)
        ).scalar_one()
    assert left == 0


def test_only_a_declared_supervisor_in_scope_issues_with_good_input(xg: Engine) -> None:  # noqa: F811
    view = dispatched(xg)
    town_supervisor = person("xiaogan", "t", (TOWN, "督办员", None))  # 镇: not declared
    with pytest.raises(ActionRefused, match="您不是本案的督办人：督办单由督办员 @ 县、负责人 @ 市"):
        xg.supervise(town_supervisor, view.code, office="人民调解委员会", reason="催办")
    other_town = person("xiaogan", "o", ("新华街道", "督办员", None))
    with pytest.raises(NotFound):
        xg.supervise(other_town, view.code, office="人民调解委员会", reason="催办")
    for office, reason, days, message in (
        ("外星办", "催办", None, "单位「外星办」不在书院街道"),
        ("司法局", "催办", None, "单位「司法局」不在书院街道"),  # a county office
        ("人民调解委员会", "  ", None, "请填写督办事由"),
        ("人民调解委员会", "催" * 501, None, "督办事由不能超过 500 字"),
        ("人民调解委员会", "催办", 0, "回复期限应为 1 到 60 个工作日"),
        ("人民调解委员会", "催办", 61, "回复期限应为 1 到 60 个工作日"),
    ):
        with pytest.raises(ActionRefused, match=message):
            xg.supervise(SUPERVISOR, view.code, office=office, reason=reason, days=days)
    assert notices(xg.db) == 0  # nothing written by any refusal
    view = xg.supervise(CITY_HEAD, view.code, office="司法所", reason="市级督办")
    [notice] = [t for t in view.open_tickets() if t.office == "司法所"]
    assert notice.due_at == xg.clock.now() + timedelta(days=2)  # the block's default


def test_a_late_reply_reminds_then_escalates_to_the_city(xg: Engine) -> None:  # noqa: F811
    clock = xg.clock
    assert isinstance(clock, ManualClock)
    view = dispatched(xg)
    view = xg.supervise(SUPERVISOR, view.code, office="人民调解委员会", reason="请说明进展", days=1)
    [notice] = [
        t for t in view.open_tickets() if t.office == "人民调解委员会" and t.kind == "supervision"
    ]
    clock.advance(timedelta(hours=23))  # past 80% of one working day
    fire(xg)
    kinds = [e.kind for e in xg.timeline(SUPERVISOR, view.code)]
    assert "supervision_reminded" in kinds and "supervision_escalated" not in kinds
    clock.advance(timedelta(hours=2))  # past the due time
    fire(xg)
    view = xg.case(SUPERVISOR, view.code)  # type: ignore[assignment]
    events = {e.kind: e for e in xg.timeline(SUPERVISOR, view.code)}
    assert events["supervision_escalated"].note == (
        "人民调解委员会逾期未回复督办单，已报孝感市社会治理综合服务中心负责人督办"
    )
    [up] = [t for t in view.open_tickets() if t.kind == "supervision" and t.center == CITY]
    assert (up.role, up.office) == ("负责人", None)
    assert [t.colour for t in view.tickets if t.id == notice.id] == ["红"]
    assert view.colour != "红"  # a late 督办单 does not regrade the case
    view = xg.act(HANDLER, notice.id, "回复督办", {}, reason="已调解")
    with xg.db.connect() as conn:
        row = conn.execute(select(supervision.NOTICE)).mappings().one()
    assert row["late"] is True and row["escalated_at"] is not None
