"""Who did it (engine/mediators.py): the engine records the mediator of each case from the
actions, with no form field, and the monthly reward ledger pays by the county's rates
(engine/reports/rewards.py). Run on SQLite and on PostgreSQL (YIDI_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

import dsl
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.mediators import CASE_MEDIATOR
from engine.reports import figures, rewards
from engine.reports.cohorts import Context
from engine.reports.periods import month_of
from engine.reports.scope import Scope, subtree
from engine.scope import Membership, Principal
from engine.tables import CASE
from engine.views import CaseView

LUCHENG = Path(__file__).resolve().parents[2] / "definitions" / "lucheng"
# Monday 2026-11-16 09:00 in China
MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
PARTIES = [{"name": "林一", "role": "申请人", "phone": "13800001111"}]
INTAKE = {
    "channel": "12345",
    "category": "行政争议",
    "severity": "一般",
    "location": {"town": "五马街道"},
    "parties": PARTIES,
    "summary": "对拆除临时搭建的行政决定不服",
}
MEDIATED = {"method": "行政调解", "result": "化解成功", "notes": "双方同意延期拆除并给予合理补偿"}


def staff(
    username: str, name: str, role: str, office: str, center: str = "鹿城区中心"
) -> Principal:
    return Principal(username, name, "lucheng", (Membership(center, role, office),))


OFFICIAL = staff("xz1", "行政机关承办人", "承办人", "行政机关")
MEDIATOR = staff("tj1", "陈调解", "调解员", "行政争议调解中心")
JUDGE = staff("fg1", "王法官", "法官", "法院")


def publish(db: DbEngine, folder: Path) -> Any:
    model = dsl.compile_county(folder)
    versions.publish(db, model, by="测试")
    return model


def variant(tmp_path: Path) -> Path:
    """鹿城 with a 接单 step before 案前调解 (worked by the office's 承办人), a brand studio
    led by 林调解, and a `mediator` field on the mediation form."""
    folder = tmp_path / "lucheng"
    shutil.copytree(LUCHENG, folder, ignore=shutil.ignore_patterns("features"))
    county = (folder / "county.yd").read_text(encoding="utf-8")
    office = '单位 行政争议调解中心 "行政争议调解中心（案前调解）" {\n  类型 调委会\n'
    county = county.replace(office + "  角色 调解员,", office + "  角色 调解员, 承办人,")
    county += '\n工作室 林调解工作室 单位 行政争议调解中心 主理人 "林调解"\n'
    (folder / "county.yd").write_text(county, encoding="utf-8")
    processes = (folder / "processes.yd").read_text(encoding="utf-8")
    processes = processes.replace(
        '动作 未自纠 "未能自纠，转案前调解" -> 案前调解',
        '动作 未自纠 "未能自纠，转案前调解" -> 案前接单',
    ).replace(
        "  步骤 案前调解 {",
        "  步骤 案前接单 {\n    办理人 承办人 @ 单位 行政争议调解中心\n"
        "    动作 接单 -> 案前调解\n  }\n  步骤 案前调解 {",
    )
    (folder / "processes.yd").write_text(processes, encoding="utf-8")
    form_path = folder / "forms" / "办理情况.json"
    form = json.loads(form_path.read_text(encoding="utf-8"))
    form["properties"]["mediator"] = {"type": "string", "title": "调解员", "maxLength": 30}
    form_path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    return folder


def open_ticket(view: CaseView) -> int:
    tickets = [t for t in view.open_tickets() if t.kind != "supervision"]
    assert len(tickets) == 1, tickets
    return tickets[0].id


def receive(wf: Engine) -> CaseView:
    return wf.receive(
        "12345平台",
        "lucheng",
        channel="12345",
        category="行政争议",
        severity="一般",
        location="五马社区",
        parties=PARTIES,
        data=INTAKE,
        visits=0,
    )


def mediated_and_confirmed(wf: Engine) -> CaseView:
    view = receive(wf)
    view = wf.act(OFFICIAL, open_ticket(view), "未自纠", {"notes": "机关认为原决定并无不当"})
    view = wf.act(MEDIATOR, open_ticket(view), "调解成功", MEDIATED)
    return wf.act(JUDGE, open_ticket(view), "确认", {"ruling": "（2026）浙0302民特1号"})


def parts(db: DbEngine, code: str) -> list[tuple[str, str, str, str | None, str | None]]:
    with db.connect() as conn:
        case_id = conn.execute(select(CASE.c.id).where(CASE.c.code == code)).scalar_one()
        rows = conn.execute(
            select(
                CASE_MEDIATOR.c.part,
                CASE_MEDIATOR.c.name,
                CASE_MEDIATOR.c.outcome,
                CASE_MEDIATOR.c.meaning,
                CASE_MEDIATOR.c.studio,
            )
            .where(CASE_MEDIATOR.c.case_id == case_id)
            .order_by(CASE_MEDIATOR.c.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def case_row(db: DbEngine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).mappings().one()


def context(db: DbEngine, model: Any, day: date, center: str | None = None) -> Context:
    centers = subtree(model, center) if center else frozenset(model.centers)
    return Context(versions.county_id(db, "lucheng"), month_of(day), Scope(model, centers))


def test_the_recorder_is_the_cases_mediator_and_the_judge_is_not(db: DbEngine) -> None:
    model = publish(db, LUCHENG)
    wf = Engine(db, ManualClock(MONDAY))
    view = mediated_and_confirmed(wf)
    assert parts(db, view.code) == [
        ("recorded", "陈调解", "调解成功", "mediated", None),
        ("recorded", "王法官", "司法确认", "confirmed", None),
    ]
    row = case_row(db, view.code)
    assert (row["mediator"], row["outcome"], row["mediation_success"]) == (
        "陈调解",
        "司法确认",
        True,
    )
    with db.connect() as conn:
        per_mediator = figures.compute(conn, context(db, model, date(2026, 11, 1)), "mediator")
    assert set(per_mediator) == {"陈调解"}
    assert per_mediator["陈调解"]["mediation"].numerator == 1


def test_the_reward_ledger_pays_the_mediator_per_mediation_and_per_confirmation(
    db: DbEngine,
) -> None:
    model = publish(db, LUCHENG)
    clock = ManualClock(MONDAY)
    wf = Engine(db, clock)
    first = mediated_and_confirmed(wf)
    # A second case mediated on the last evening of November, confirmed on 1 December (CST).
    second = receive(wf)
    second = wf.act(OFFICIAL, open_ticket(second), "未自纠", {"notes": "机关认为原决定并无不当"})
    clock.set(datetime(2026, 11, 30, 15, 30, tzinfo=UTC))  # 23:30 in China
    second = wf.act(MEDIATOR, open_ticket(second), "调解成功", MEDIATED)
    clock.set(datetime(2026, 11, 30, 16, 10, tzinfo=UTC))  # 1 December 00:10 in China
    wf.act(JUDGE, open_ticket(second), "确认", {"ruling": "（2026）浙0302民特2号"})
    with db.connect() as conn:
        november = rewards.ledger(conn, context(db, model, date(2026, 11, 1)))
        december = rewards.ledger(conn, context(db, model, date(2026, 12, 1)))
        town = rewards.ledger(conn, context(db, model, date(2026, 11, 1), "五马街道"))
    assert [
        (line["code"], line["payee"], line["meaning"], line["amount"]) for line in november.lines
    ] == [
        (first.code, "陈调解", "调解成功", 200),
        (first.code, "陈调解", "司法确认", 100),
        (second.code, "陈调解", "调解成功", 200),
    ]
    assert november.summary == [{"payee": "陈调解", "count": 3, "amount": 500}]
    assert (november.total_count, november.total_amount) == (3, 500)
    assert [(line["code"], line["meaning"], line["day"]) for line in december.lines] == [
        (second.code, "司法确认", "2026-12-01")
    ]
    assert town.lines == []  # the street sees only its own cases: these are the district's


def test_a_county_without_rates_has_an_empty_ledger(db: DbEngine, tmp_path: Path) -> None:
    folder = tmp_path / "lucheng"
    shutil.copytree(LUCHENG, folder, ignore=shutil.ignore_patterns("features"))
    text = (folder / "county.yd").read_text(encoding="utf-8")
    (folder / "county.yd").write_text(
        text.replace("计件奖励 调解成功 200 元, 司法确认 100 元", ""), encoding="utf-8"
    )
    model = publish(db, folder)
    assert model.reward_rates == {}
    mediated_and_confirmed(Engine(db, ManualClock(MONDAY)))
    with db.connect() as conn:
        found = rewards.ledger(conn, context(db, model, date(2026, 11, 1)))
    assert (found.lines, found.total_amount) == ([], 0)


def test_who_accepted_for_the_office_is_recorded_with_the_recorder_and_a_studio_is_credited(
    db: DbEngine, tmp_path: Path
) -> None:
    publish(db, variant(tmp_path))
    wf = Engine(db, ManualClock(MONDAY))
    clerk = staff("sl1", "李承办", "承办人", "行政争议调解中心")
    studio_head = staff("tj2", "林调解", "调解员", "行政争议调解中心")
    view = receive(wf)
    view = wf.act(OFFICIAL, open_ticket(view), "未自纠", {"notes": "机关认为原决定并无不当"})
    view = wf.act(clerk, open_ticket(view), "接单", {})
    view = wf.act(studio_head, open_ticket(view), "调解成功", MEDIATED)
    assert parts(db, view.code) == [
        ("recorded", "林调解", "调解成功", "mediated", "林调解工作室"),
        ("accepted", "李承办", "调解成功", "mediated", None),
    ]
    row = case_row(db, view.code)
    assert (row["mediator"], row["studio"]) == ("林调解", "林调解工作室")


def test_a_mediator_named_on_the_form_wins_over_the_recorder(db: DbEngine, tmp_path: Path) -> None:
    publish(db, variant(tmp_path))
    wf = Engine(db, ManualClock(MONDAY))
    view = receive(wf)
    view = wf.act(OFFICIAL, open_ticket(view), "未自纠", {"notes": "机关认为原决定并无不当"})
    view = wf.act(
        staff("sl1", "李承办", "承办人", "行政争议调解中心"), open_ticket(view), "接单", {}
    )
    view = wf.act(
        MEDIATOR, open_ticket(view), "调解成功", {**MEDIATED, "mediator": "外聘调解员赵某"}
    )
    assert case_row(db, view.code)["mediator"] == "外聘调解员赵某"
    assert parts(db, view.code)[0][:2] == ("recorded", "陈调解")  # who acted is still recorded
    view = wf.act(JUDGE, open_ticket(view), "确认", {"ruling": "（2026）浙0302民特3号"})
    model = versions.current_county(db, "lucheng")
    with db.connect() as conn:
        paid = rewards.ledger(conn, context(db, model, date(2026, 11, 1)))
    # the named mediator is paid, for the mediation and for the court's confirmation
    assert paid.summary == [{"payee": "外聘调解员赵某", "count": 2, "amount": 300}]


def test_an_action_without_an_outcome_records_nobody(db: DbEngine) -> None:
    publish(db, LUCHENG)
    wf = Engine(db, ManualClock(MONDAY))
    view = receive(wf)
    view = wf.act(OFFICIAL, open_ticket(view), "未自纠", {"notes": "机关认为原决定并无不当"})
    assert parts(db, view.code) == []
    assert case_row(db, view.code)["mediator"] is None


RUGAO = LUCHENG.parent / "rugao"
RUGAO_INTAKE = {
    "channel": "12345",
    "category": "婚姻家庭",
    "severity": "重大",
    "location": {"town": "如城街道"},
    "parties": [{"name": "冒一", "role": "申请人", "phone": "13800001111"}],
    "summary": "离婚后子女抚养费长期拖欠，双方矛盾激化",
}


def test_rugaos_named_studio_counts_the_cases_its_mediator_records(db: DbEngine) -> None:
    """如皋's 王桂兰家事纠纷调解工作室 (the report's): a case 王桂兰 mediates counts for it."""
    model = publish(db, RUGAO)
    wf = Engine(db, ManualClock(MONDAY))
    view = wf.receive(
        "12345平台",
        "rugao",
        channel="12345",
        category="婚姻家庭",
        severity="重大",
        location="东兴社区",
        parties=RUGAO_INTAKE["parties"],
        data=RUGAO_INTAKE,
        visits=0,
        center="如皋市中心",
    )
    here = "如皋市中心"
    clerk = Principal("ck", "窗口", "rugao", (Membership(here, "窗口人员", None, "综合受理1"),))
    view = wf.act(clerk, open_ticket(view), "转后台", RUGAO_INTAKE)
    dispatcher = Principal("dd", "调度", "rugao", (Membership(here, "调度员", None),))
    view = wf.act(dispatcher, open_ticket(view), "派单", {"office": "人民调解委员会"})
    wang = Principal("wgl", "王桂兰", "rugao", (Membership(here, "调解员", "人民调解委员会"),))
    view = wf.act(wang, open_ticket(view), "调解成功", MEDIATED | {"result": "化解成功"})
    assert (case_row(db, view.code)["mediator"], case_row(db, view.code)["studio"]) == (
        "王桂兰",
        "王桂兰工作室",
    )
    with db.connect() as conn:
        ctx = Context(
            versions.county_id(db, "rugao"),
            month_of(date(2026, 11, 1)),
            Scope(model, frozenset(model.centers)),
        )
        per_studio = figures.compute(conn, ctx, "studio")
    assert per_studio["王桂兰工作室"]["mediation"].numerator == 1
