"""网上受理 (issue 18): a county declares the public version of its intake in its definition;
/online/<county> shows only those fields with the county's words, and the server fills the rest
(the online channel, the mildest grade or the declared default), whatever was posted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import dsl
from engine import versions
from engine.tables import CASE
from tests.support import csrf_of

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
PUBLIC = {
    "category": "邻里纠纷",
    "location/town": "书院街道",
    "location/village": "书院社区",
    "parties/0/name": "张三",
    "parties/0/role": "申请人",
    "parties/0/phone": "13800001111",
    "summary": "邻居装修噪音扰民，多次协商未果",
}


def xiaogan_files(extra: str = "") -> dict[str, str]:
    files = {
        str(p.relative_to(DEFINITIONS / "xiaogan")): p.read_text(encoding="utf-8")
        for p in (DEFINITIONS / "xiaogan").rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }
    if extra:
        files["county.yd"] = files["county.yd"].replace(
            '    字段 appeal "您希望怎样解决"\n', f'    字段 appeal "您希望怎样解决"\n{extra}'
        )
    return files


def publish(db: Engine, extra: str = "") -> None:
    result = dsl.compile_files("xiaogan", xiaogan_files(extra))
    assert result.county is not None, [d.message for d in result.diagnostics]
    versions.publish(db, result.county, by="test")


def test_the_public_sees_the_fields_and_words_the_county_declares(
    client: TestClient, db: Engine
) -> None:
    publish(db)
    page = client.get("/online/xiaogan")
    assert page.status_code == 200
    text = page.text
    assert "孝感市 网上一键受理" in text
    for word in ("纠纷类型", "纠纷发生在哪里", "您和对方", "发生了什么", "凭它查询进度"):
        assert word in text, word
    staff_only_words = ("受理渠道", "无差别综合受理窗口登记表", "受理登记")
    for staff_only in (*staff_only_words, 'name="severity"', 'name="channel"'):
        assert staff_only not in text, staff_only
    assert "重特大" not in text  # the grades are the staff's to judge


def test_hidden_fields_take_the_servers_values_whatever_was_posted(
    client: TestClient, db: Engine
) -> None:
    publish(db)
    token = csrf_of(client, "/online/xiaogan")
    forged = {"severity": "重特大", "channel": "来访", "people_involved": "99"}
    response = client.post("/online/xiaogan", data={**PUBLIC, **forged, "csrf_token": token})
    assert response.status_code == 201, re.findall(r'role="alert">([^<]+)<', response.text)
    code = re.search(r"(XG-\d{4}-\d{6})", response.text)
    assert code is not None
    with db.connect() as conn:
        case = conn.execute(select(CASE).where(CASE.c.code == code.group(1))).one()
    assert (case.channel, case.severity) == ("线上", "一般")
    assert case.data["people_involved"] == 2  # the schema's default, not the forged 99


def test_a_declared_default_decides_the_hidden_grade(client: TestClient, db: Engine) -> None:
    publish(db, "    默认 severity 较大\n")
    token = csrf_of(client, "/online/xiaogan")
    response = client.post("/online/xiaogan", data={**PUBLIC, "csrf_token": token})
    assert response.status_code == 201, re.findall(r'role="alert">([^<]+)<', response.text)
    with db.connect() as conn:
        assert conn.execute(select(CASE.c.severity)).scalar() == "较大"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    字段 partys\n", "网上受理的字段「partys」不是受理表单「受理登记」的字段"),
        ("    字段 channel\n", "网上受理不必列出「channel」"),
        ("    默认 severity 很大\n", "默认值「很大」不是字段「severity」的可选值"),
        ("    默认 summary 无\n", "字段「summary」已列入网上受理、由群众填写，默认值不起作用"),
    ],
)
def test_check_refuses_an_online_intake_that_cannot_work(extra: str, message: str) -> None:
    result = dsl.compile_files("xiaogan", xiaogan_files(extra))
    assert result.county is None or any(d.severity == "error" for d in result.diagnostics)
    assert any(message in d.message for d in result.diagnostics), [
        d.message for d in result.diagnostics
    ]


def test_check_refuses_a_required_field_the_public_cannot_fill() -> None:
    files = xiaogan_files()
    files["county.yd"] = files["county.yd"].replace(
        '    字段 summary "发生了什么" 提示 "写明纠纷的起因和经过，至少 10 个字"\n', ""
    )
    result = dsl.compile_files("xiaogan", files)
    assert any(
        "必填字段「summary」没有列入网上受理，也没有默认值" in d.message for d in result.diagnostics
    )
