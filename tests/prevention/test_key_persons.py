"""The key-person register (重点人员, engine/key_persons.py): declared categories and visit
cadence, masking for roles that do not need personal data, an audit event on every full read,
overdue visits, linked cases, scope (another town, another county), and bad input refused with
nothing written."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import dsl
from dsl.loader import load_files
from engine import versions
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.errors import ActionRefused, NotFound
from engine.key_person_service import KeyPersons
from engine.key_person_tables import KEY_PERSON, KEY_PERSON_VISIT
from engine.prevention import Prevention
from engine.tables import EVENT
from tests.prevention.rugao import MONDAY, RUGAO, TOWN_DISPATCHER, person, publish, utc

SIFASUO = person("sifa", ("如城街道", "调解员", "司法所"))  # the office responsible
LEADER = person("zhuren", ("如皋市中心", "负责人", "矛调中心"))  # named in 可见
OTHER_TOWN = person("baipu", ("白蒲镇", "调度员", "矛调中心"))
# 如皋's own definition published as another county: the same center names, so only the
# county filter keeps its dispatcher from 如皋's register
TWIN = "rugao_twin"
TWIN_DISPATCHER = replace(TOWN_DISPATCHER, county=TWIN)

PERSON = {
    "name": "冒某某",
    "id_number": "320682198801011235",
    "phone": "13900002222",
    "address": "如城街道东兴社区三组 12 号",
    "place": "东兴社区",
    "category": "精神障碍",
    "office": "司法所",
}


def events(db: Engine, kind: str) -> list[tuple[str, str]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.actor, EVENT.c.note).where(EVENT.c.kind == kind).order_by(EVENT.c.id)
        ).all()
    return [(str(a), str(n)) for a, n in rows]


def count(db: Engine, table: Any) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def service(db: Engine) -> tuple[KeyPersons, ManualClock]:
    publish(db)
    clock = ManualClock(utc(MONDAY))
    return KeyPersons(db, clock), clock


def test_another_role_sees_the_record_masked_and_no_full_read_is_recorded(db: Engine) -> None:
    kp, _ = service(db)
    person_id = kp.add(TOWN_DISPATCHER, PERSON)
    seen = kp.record(TOWN_DISPATCHER, person_id)
    assert seen["masked"] is True
    assert (seen["id_number"], seen["phone"], seen["address"]) == (
        "320***********1235",
        "139****2222",
        "（已隐藏）",
    )
    assert "198801" not in repr(seen) and "三组" not in repr(seen)
    assert events(db, "key_person_read") == []
    [row] = kp.register(SIFASUO)  # the list is masked even for the office responsible
    assert (row["name"], row["id_number"], row["phone"]) == (
        "冒某某",
        "320***********1235",
        "139****2222",
    )


def test_a_full_read_is_audited_for_the_responsible_office_and_the_leader(db: Engine) -> None:
    kp, _ = service(db)
    person_id = kp.add(TOWN_DISPATCHER, PERSON)
    for reader in (SIFASUO, LEADER):
        seen = kp.record(reader, person_id)
        assert seen["masked"] is False
        assert (seen["id_number"], seen["phone"]) == (PERSON["id_number"], PERSON["phone"])
        assert seen["address"] == PERSON["address"]
    assert events(db, "key_person_read") == [
        ("sifa", f"查看重点人员第 {person_id} 号完整信息（精神障碍）"),
        ("zhuren", f"查看重点人员第 {person_id} 号完整信息（精神障碍）"),
    ]
    # the audit log names the person by number, never by ID number or phone
    with db.connect() as conn:
        notes = " ".join(str(n) for n in conn.execute(select(EVENT.c.note)).scalars())
    assert PERSON["id_number"] not in notes and PERSON["phone"] not in notes


def test_a_visit_older_than_the_cadence_is_overdue_until_the_next_visit(db: Engine) -> None:
    kp, clock = service(db)
    person_id = kp.add(SIFASUO, PERSON)
    [row] = kp.register(SIFASUO)
    assert row["overdue"] is False
    clock.advance(timedelta(days=31))  # 走访 每月: 30 days
    [row] = kp.register(SIFASUO)
    assert row["overdue"] is True
    with pytest.raises(ActionRefused, match="请填写走访情况"):
        kp.visit(SIFASUO, person_id, "  ")
    assert count(db, KEY_PERSON_VISIT) == 0
    kp.visit(SIFASUO, person_id, "情绪稳定，按时服药")
    [row] = kp.register(SIFASUO)
    assert row["overdue"] is False
    [visit] = kp.record(SIFASUO, person_id)["visits"]
    assert (visit["by"], visit["note"]) == ("sifa", "情绪稳定，按时服药")


def test_cases_and_risks_naming_the_same_id_number_or_phone_are_linked(db: Engine) -> None:
    kp, clock = service(db)
    wf = Workflow(db, clock)
    by_phone = receive(wf, {"name": "冒某", "role": "申请人", "phone": PERSON["phone"]})
    by_id = receive(
        wf,
        {
            "name": "冒某某",
            "role": "被申请人",
            "phone": "13900003333",
            "id_number": PERSON["id_number"],
        },
    )
    receive(wf, {"name": "别人", "role": "申请人", "phone": "13900009999"})
    risk = {
        "subject": "家属反映病情不稳",
        "place": "东兴社区",
        "category": "邻里纠纷",
        "grade": "黄",
        "office": "司法所",
        "parties": f"冒某某（{PERSON['phone']}）",
    }
    Prevention(db, clock).open_risk(TOWN_DISPATCHER, risk)
    Prevention(db, clock).open_risk(TOWN_DISPATCHER, {**risk, "parties": "别人"})
    person_id = kp.add(SIFASUO, PERSON)
    seen = kp.record(SIFASUO, person_id)
    assert sorted(c["code"] for c in seen["cases"]) == sorted([by_phone, by_id])
    assert [r["subject"] for r in seen["risks"]] == ["家属反映病情不稳"]


def receive(wf: Workflow, party: dict[str, Any]) -> str:
    view = wf.receive(
        "测试",
        "rugao",
        channel="来访",
        category="邻里纠纷",
        severity="一般",
        location="东兴社区",
        parties=[party],
        data={
            "summary": "两户因宅基地排水沟堵塞争执不下",
            "location": {"town": "如城街道", "village": "东兴社区"},
        },
        visits=0,
    )
    return view.code


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "请填写姓名"),
        ({"id_number": "32068219880101123"}, "身份证号应为18位"),
        ({"id_number": "320682198801011234"}, "身份证号校验位不正确，请核对"),
        ({"phone": "12345"}, "联系电话应为 11 位手机号或带区号的固定电话"),
        ({"id_number": "", "phone": ""}, "身份证号和联系电话至少填写一项（用于关联案件）"),
        (
            {"category": "刑满释放"},
            "没有重点人员类别「刑满释放」，可选：三失一偏、精神障碍、信访老户",
        ),
        ({"place": "火星"}, "没有地点（中心）「火星」"),
        ({"place": "白蒲镇"}, "「白蒲镇」不在您的工作范围内"),
        ({"office": "公安局"}, "没有单位「公安局」"),
        ({"address": "址" * 201}, "住址不能超过 200 字（现有 201 字）"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_nothing_written(
    db: Engine, change: dict[str, Any], message: str
) -> None:
    kp, _ = service(db)
    with pytest.raises(ActionRefused, match=f"^{message}$"):
        kp.add(TOWN_DISPATCHER, {**PERSON, **change})
    assert count(db, KEY_PERSON) == 0
    assert events(db, "key_person_added") == []


def test_another_town_and_another_county_find_nothing(db: Engine) -> None:
    kp, _ = service(db)
    twin = dsl.compile_files(TWIN, load_files(RUGAO)).county
    assert twin is not None
    versions.publish(db, twin, by="测试")
    person_id = kp.add(TOWN_DISPATCHER, PERSON)
    for stranger in (OTHER_TOWN, TWIN_DISPATCHER):
        with pytest.raises(NotFound, match="没有这位重点人员，或其不在您的工作范围内"):
            kp.record(stranger, person_id)
        with pytest.raises(NotFound):
            kp.visit(stranger, person_id, "走访")
    assert kp.register(OTHER_TOWN) == [] and kp.register(TWIN_DISPATCHER) == []
    assert events(db, "key_person_read") == []
    assert count(db, KEY_PERSON_VISIT) == 0
