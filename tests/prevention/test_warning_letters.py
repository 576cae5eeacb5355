"""预警函 (issue 21.5): a 预警 rule's `预警函 K 给 O` issues a numbered letter of kind K to office O
in the transaction that raises the warning; `yidi check` refuses a kind or office it cannot use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine import letters, timers
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.letter_tables import LETTER, LETTER_EVENT
from engine.prevention import Prevention
from engine.prevention_tables import WARNING
from engine.scope import Membership, Principal
from tests.prevention.pages import PASSWORD, prepare
from tests.prevention.rugao import KEY, MONDAY, TOWN_DISPATCHER, publish, utc
from tests.prevention.test_correlation import different_people, receive
from tests.prevention.test_prevention_dsl import HEAD, compile_with
from tests.prevention.test_prevention_pages import raise_warning
from tests.web.conftest import login

KIND = """
函件 风险预警函 {
  文号 "皋矛预警〔{年}〕{号}号"
  收件单位 司法所
  回复时限 3 工作日
  签发 督办员
  正文 "{收件单位}：经排查预警，{事由}。"
}
"""
RULE = """
预警 五次 {
  同一 地点, 事项
  次数 5
  时段 30 天
  预警等级 橙
  派给 调度员 在 镇
  预警函 风险预警函 给 司法所
}
"""
JUSTICE = Principal(
    username="sifasuo",
    display_name="如城司法所",
    county=KEY,
    memberships=(Membership(center="如城街道", role="调解员", office="司法所"),),
)
SUPERVISOR = Principal(
    username="duban",
    display_name="督办员",
    county=KEY,
    memberships=(Membership(center="如城街道", role="督办员", office="矛调中心"),),
)


def errors(text: str) -> list[str]:
    return compile_with(HEAD + text)[1]


def test_the_rule_compiles_with_its_letter_in_both_languages() -> None:
    county, problems = compile_with(HEAD + KIND + RULE)
    assert problems == [] and county is not None
    rule = county.warning_rules["五次"]
    assert (rule.letter, rule.letter_office) == ("风险预警函", "司法所")
    english = RULE.replace("预警函 风险预警函 给 司法所", "warning_letter 风险预警函 to 司法所")
    county, problems = compile_with(HEAD + KIND + english)
    assert problems == [] and county is not None
    assert county.warning_rules["五次"].letter_office == "司法所"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RULE,
            "预警「五次」的预警函类型「风险预警函」未声明（已声明的函件：（本县区未声明函件））",
        ),
        (
            KIND + RULE.replace("预警函 风险预警函", "预警函 督办函"),
            "预警「五次」的预警函类型「督办函」未声明（已声明的函件：风险预警函）",
        ),
        (KIND + RULE.replace("给 司法所", "给 住建局"), "未定义的单位「住建局」"),
        (
            KIND + RULE.replace("给 司法所", "给 信访局"),
            "单位「信访局」不在函件「风险预警函」的收件单位中（可选：司法所）",
        ),
        (
            KIND.replace("经排查预警，{事由}", "{案件编号}") + RULE,
            "函件「风险预警函」的正文引用案件信息，不能作为预警函自动签发",
        ),
    ],
)
def test_a_letter_the_rule_cannot_issue_is_refused_in_chinese(text: str, message: str) -> None:
    found = errors(text)
    assert any(message in problem for problem in found), found


def letters_of(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(LETTER).order_by(LETTER.c.id)).mappings()]


def test_raising_the_warning_issues_the_letter_and_it_runs_its_course(db: Engine) -> None:
    """如皋: the fifth hit raises the orange warning and issues 风险预警函 to 如城街道's 司法所;
    later hits issue no second letter; unanswered by the deadline it is 逾期; then answered
    late and closed (闭环销号)."""
    publish(db)
    clock = ManualClock(utc(MONDAY))
    wf = Workflow(db, clock)
    for index in range(4):
        receive(wf, "12345", party=different_people(index))
    assert letters_of(db) == []
    receive(wf, "网格", party=different_people(4))
    [warning] = [dict(r) for r in db.connect().execute(select(WARNING)).mappings()]
    [letter] = letters_of(db)
    assert letter["warning_id"] == warning["id"]
    assert (letter["kind"], letter["number"], letter["to_center"], letter["to_office"]) == (
        "风险预警函",
        "皋矛预警〔2026〕1号",
        "如城街道",
        "司法所",
    )
    assert (letter["issuer_center"], letter["issued_name"], letter["state"]) == (
        "如城街道",
        "系统",
        "issued",
    )
    assert "同一地点、事项 30 天内第 5 次" in letter["body"]
    assert letter["due_at"] > letter["issued_at"]  # 3 working days, from the kind
    receive(wf, "12345", party=different_people(5))  # a later hit renews the warning only
    assert len(letters_of(db)) == 1
    listed = Prevention(db, clock).warnings(TOWN_DISPATCHER)
    assert [(w["id"], [x["number"] for x in w["letters"]]) for w in listed] == [
        (warning["id"], ["皋矛预警〔2026〕1号"])
    ]
    clock.set(letter["due_at"] - timedelta(minutes=1))
    timers.fire_due(db, clock, timers.DEFAULT_DISPATCHER)
    assert letters_of(db)[0]["overdue"] is False  # a minute before the deadline
    clock.set(letter["due_at"])
    timers.fire_due(db, clock, timers.DEFAULT_DISPATCHER)
    [late] = letters_of(db)
    assert late["overdue"] is True and late["state"] == "issued"
    clock.set(clock.now() + timedelta(hours=2))  # the office answers late
    letters.answer(db, JUSTICE, late["id"], "已约谈物业公司，达成分期整改方案", clock.now())
    letters.close(db, SUPERVISOR, late["id"], clock.now())
    [closed] = letters_of(db)
    assert (closed["state"], closed["answered_on_time"]) == ("closed", False)
    with db.connect() as conn:
        kinds = list(
            conn.execute(
                select(LETTER_EVENT.c.kind)
                .where(LETTER_EVENT.c.letter_id == closed["id"])
                .order_by(LETTER_EVENT.c.id)
            ).scalars()
        )
    assert kinds == ["issued", "overdue", "signed", "answered", "closed"]


def test_a_rule_without_a_letter_issues_none(db: Engine) -> None:
    """同一当事人三次 declares no 预警函: its warning is raised, no letter is written."""
    publish(db)
    wf = Workflow(db, ManualClock(utc(MONDAY)))
    same = {"name": "冒一", "role": "申请人", "phone": "13800001111"}
    for place in ("东兴社区", "西河社区", "东兴社区"):
        receive(wf, "12345", party=same, place=place, category="邻里纠纷")
    with db.connect() as conn:
        rules = list(conn.execute(select(WARNING.c.rule)).scalars())
    assert rules == ["同一当事人三次"]
    assert letters_of(db) == []


def test_the_warnings_page_shows_the_letter(db: Engine, app: Any, client: TestClient) -> None:
    prepare(db, app)
    raise_warning(db, app)
    assert login(client, "rucheng", PASSWORD) == 303
    page = client.get("/prevention/warnings?show=all")
    assert page.status_code == 200
    [letter] = letters_of(db)
    assert (
        f'预警函：<a href="/letters/{letter["id"]}">风险预警函 皋矛预警〔2026〕1号</a>（待签收'
        in page.text
    )
