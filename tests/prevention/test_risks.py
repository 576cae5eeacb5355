"""The risk register (矛盾风险清单, engine/risks.py, admin/prevention_risks.py): a risk is
put under control on the county's colour scale with its owning office, regraded with a reason
(history and audit), closed (销号) with a reason; scoped to the user's places; every refusal in
Chinese, nothing half written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from engine.clock import ManualClock
from engine.errors import ActionRefused, NotFound
from engine.prevention import Prevention
from engine.prevention_tables import RISK_CHANGE, RISK_ITEM
from engine.tables import EVENT
from tests.prevention.pages import PASSWORD, prepare
from tests.prevention.rugao import MONDAY, TOWN_DISPATCHER, person, publish, utc
from tests.support import csrf_of
from tests.web.conftest import login

RISK = {
    "subject": "东兴社区征地补偿分配不均，村民酝酿集体上访",
    "place": "东兴社区",
    "category": "土地纠纷",
    "grade": "橙",
    "office": "司法所",
    "parties": "东兴社区三组村民",
}
OTHER_TOWN = person("baipu", ("白蒲镇", "调度员", "矛调中心"))


def audit_notes(db: Engine) -> list[str]:
    with db.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.kind, EVENT.c.note)
            .where(EVENT.c.kind.like("risk_%"))
            .order_by(EVENT.c.id)
        ).all()
    return [f"{kind}：{note}" for kind, note in rows]


def test_a_risk_is_regraded_with_a_reason_and_closed_with_a_reason(db: Engine) -> None:
    publish(db)
    service = Prevention(db, ManualClock(utc(MONDAY)))
    item = service.open_risk(TOWN_DISPATCHER, RISK)
    [row] = service.risks(TOWN_DISPATCHER)
    assert (row["grade"], row["office"], row["state"]) == ("橙", "司法所", "open")
    with pytest.raises(ActionRefused, match="请填写调整等级的理由"):
        service.regrade_risk(TOWN_DISPATCHER, item, "红", " ")
    with pytest.raises(ActionRefused, match="没有风险等级「紫」，可选：蓝、黄、橙、红"):
        service.regrade_risk(TOWN_DISPATCHER, item, "紫", "升级")
    with pytest.raises(ActionRefused, match="风险等级已经是「橙」"):
        service.regrade_risk(TOWN_DISPATCHER, item, "橙", "不变")
    service.regrade_risk(TOWN_DISPATCHER, item, "红", "村民已约定下周一集体上访")
    with pytest.raises(ActionRefused, match="请填写销号理由"):
        service.close_risk(TOWN_DISPATCHER, item, "")
    service.close_risk(TOWN_DISPATCHER, item, "补偿方案经村民代表大会通过，已签协议")
    with pytest.raises(ActionRefused, match="已经销号"):
        service.regrade_risk(TOWN_DISPATCHER, item, "黄", "再改")
    found, changes = service.risk(TOWN_DISPATCHER, item)
    assert found["state"] == "closed" and found["close_reason"].startswith("补偿方案")
    assert [(c["kind"], c["from_grade"], c["to_grade"], c["reason"]) for c in changes] == [
        ("opened", None, "橙", ""),
        ("regraded", "橙", "红", "村民已约定下周一集体上访"),
        ("closed", "红", None, "补偿方案经村民代表大会通过，已签协议"),
    ]
    subject = RISK["subject"]
    assert audit_notes(db) == [
        f"risk_opened：纳入风险清单：{subject}（橙，司法所负责）",
        f"risk_regraded：{subject}：风险等级 橙 → 红，理由：村民已约定下周一集体上访",
        f"risk_closed：{subject}：销号，理由：补偿方案经村民代表大会通过，已签协议",
    ]
    assert service.risks(TOWN_DISPATCHER) == []
    assert len(service.risks(TOWN_DISPATCHER, open_only=False)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": ""}, "请填写风险事项"),
        ({"subject": "长" * 201}, "风险事项不能超过 200 字（现有 201 字）"),
        ({"place": "火星"}, "没有地点（中心）「火星」"),
        ({"place": "白蒲镇"}, "「白蒲镇」不在您的工作范围内"),
        ({"category": "外星纠纷"}, "没有事项类型「外星纠纷」"),
        ({"grade": "紫"}, "没有风险等级「紫」，可选：蓝、黄、橙、红"),
        ({"office": "火星办"}, "没有单位「火星办」"),
    ],
)
def test_bad_risks_are_refused_in_chinese_and_nothing_is_written(
    db: Engine, change: dict[str, str], message: str
) -> None:
    publish(db)
    service = Prevention(db, ManualClock(utc(MONDAY)))
    with pytest.raises(ActionRefused) as refused:
        service.open_risk(TOWN_DISPATCHER, {**RISK, **change})
    assert str(refused.value) == message
    with db.connect() as conn:
        for table in (RISK_ITEM, RISK_CHANGE):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_another_towns_staff_neither_see_nor_change_the_risk(db: Engine) -> None:
    publish(db)
    service = Prevention(db, ManualClock(utc(MONDAY)))
    item = service.open_risk(TOWN_DISPATCHER, RISK)
    assert service.risks(OTHER_TOWN) == []
    with pytest.raises(NotFound):
        service.risk(OTHER_TOWN, item)
    with pytest.raises(NotFound):
        service.close_risk(OTHER_TOWN, item, "不是我的")


def test_the_register_in_the_workbench(db: Engine, app: Any, client: TestClient) -> None:
    prepare(db, app)
    assert login(client, "rucheng", PASSWORD) == 303
    token = csrf_of(client, "/prevention/risks")
    bad = client.post("/prevention/risks", data={**RISK, "grade": "紫", "csrf_token": token})
    assert bad.status_code == 422 and "没有风险等级「紫」" in bad.text
    assert RISK["subject"] in bad.text  # what was typed stays in the form
    made = client.post("/prevention/risks", data={**RISK, "csrf_token": token})
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    page = client.get(made.headers["location"])
    assert "已纳入风险清单" in page.text and "grade grade-橙" in page.text
    empty = client.post(f"{url}/grade", data={"grade": "红", "reason": "", "csrf_token": token})
    assert empty.status_code == 422 and "请填写调整等级的理由" in empty.text
    client.post(
        f"{url}/grade", data={"grade": "红", "reason": "村民已约定集体上访", "csrf_token": token}
    )
    page = client.get(url)
    assert "风险等级 橙 → 红，理由：村民已约定集体上访" in page.text
    figures = client.get("/prevention/figures?month=2026-11")
    risks = figures.text.split('id="risks-by-grade"', 1)[1].split("</section>", 1)[0]
    assert "grade-红" in risks and "1 项" in risks
    closed = client.post(f"{url}/close", data={"reason": "已签协议", "csrf_token": token})
    assert closed.status_code == 303
    assert "没有管控中的风险事项" in client.get("/prevention/risks").text
    again = client.post(f"{url}/close", data={"reason": "再销", "csrf_token": token})
    assert again.status_code == 409 and "已经销号" in again.text
    item = re.search(r"/prevention/risks/(\d+)", url).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    assert login(client, "baipu", PASSWORD) == 303
    assert client.get(f"/prevention/risks/{item}").status_code == 404
