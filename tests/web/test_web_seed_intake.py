"""Every seed county whose `yidi check` passes takes a case at the web window, filled from its
own intake form as a clerk would (issue 15: the acceptance harness gives 地点 itself, so green
scenarios did not prove the window worked); and 小镇县's online intake succeeds (issue 16.10)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import dsl
from admin.accounts import MembershipSpec, create_user
from admin.console.sample import sample
from engine import versions
from engine.tables import CASE
from tests.support import csrf_of
from tests.web.test_web_rules import sign_in

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
SEEDS = sorted(p.name for p in DEFINITIONS.iterdir() if (p / "county.yd").is_file())


def flat(value: Any, prefix: str = "") -> dict[str, str]:
    """A form submission's field names for nested data: location/town, parties/0/name."""
    if isinstance(value, dict):
        found: dict[str, str] = {}
        for key, inner in value.items():
            found |= flat(inner, f"{prefix}/{key}" if prefix else str(key))
        return found
    if isinstance(value, list):
        found = {}
        for index, inner in enumerate(value):
            found |= flat(inner, f"{prefix}/{index}")
        return found
    if isinstance(value, bool):
        return {prefix: "true" if value else "false"}
    return {prefix: str(value)}


def inline(schema: Any, root: dict[str, Any]) -> Any:
    """The schema with local $refs (#/$defs/party) written out, for the sample filler."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return inline(root["$defs"][ref.removeprefix("#/$defs/")], root)
        return {k: inline(v, root) for k, v in schema.items()}
    if isinstance(schema, list):
        return [inline(v, root) for v in schema]
    return schema


def clerk_at_a_window(db: Engine, model: Any) -> tuple[str, str]:
    """An account at the county's first window, in a center where that window is."""
    window = next(iter(model.windows.values()))
    center = next(
        c.key for c in model.centers.values() if c.key in window.centers or c.level in window.levels
    )
    office = window.offices[0]
    role = model.offices[office].roles[0]
    create_user(
        db,
        "seed_clerk",
        "Yidi-test-2026",
        display_name="窗口",
        county=model.key,
        memberships=[MembershipSpec(center, role, office, window.key)],
    )
    return "seed_clerk", f"{window.key}|{center}"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_seed_county_takes_a_case_at_the_web_window(
    seed: str, client: TestClient, db: Engine
) -> None:
    model = dsl.compile_county(DEFINITIONS / seed)
    versions.publish(db, model, by="test")
    username, window = clerk_at_a_window(db, model)
    sign_in(client, username)
    schema = model.forms[model.intake_form].schema
    data = sample(inline(dict(schema), dict(schema)))
    for party in data.get("parties") or []:  # a pattern the sample filler cannot guess
        party.update({k: "13800138000" for k in party if k in ("phone", "电话")})
    token = csrf_of(client, "/intake")
    channel = next(c.key for c in model.channels.values() if c.in_person)
    fields = {**flat(data), "_channel": channel, "_window": window, "_visits": "1"}
    response = client.post("/intake", data={**fields, "csrf_token": token})
    assert response.status_code == 303, re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", response.text))[
        -1500:
    ]
    code = re.search(r"/cases/([A-Z]+-\d{4}-\d{6})/receipt", response.headers["location"])
    assert code is not None
    with db.connect() as conn:
        assert conn.execute(select(CASE.c.status).where(CASE.c.code == code.group(1))).scalar()


def test_xiaozhen_takes_a_case_online(client: TestClient, db: Engine) -> None:
    model = dsl.compile_county(DEFINITIONS / "demo-xiaozhen")
    versions.publish(db, model, by="test")
    token = csrf_of(client, "/online/demo-xiaozhen")
    fields = {
        "category": "邻里纠纷",
        "severity": "一般",
        "location/town": "东镇",
        "location/village": "东村",
        "parties/0/name": "张三",
        "parties/0/phone": "13800001111",
        "summary": "邻居装修噪音扰民，协商未果",
    }
    response = client.post("/online/demo-xiaozhen", data={**fields, "csrf_token": token})
    assert response.status_code == 201, re.findall(r'role="alert">([^<]+)<', response.text)
    code = re.search(r"([A-Z]+-\d{4}-\d{6})", response.text)
    assert code is not None
    with db.connect() as conn:
        found = conn.execute(
            select(CASE.c.location, CASE.c.channel).where(CASE.c.code == code.group(1))
        ).one()
    assert found.location == "东村"  # the village named, a center of the county
    assert found.channel == "线上"  # its declared online channel, never 12345


def test_a_county_without_an_online_channel_takes_no_online_case(
    client: TestClient, db: Engine
) -> None:
    # Without 线上 the page used to record online cases as 12345, another system's channel.
    files = dict(dsl.compile_county(DEFINITIONS / "demo-xiaozhen").files)
    files["county.yd"] = files["county.yd"].replace(', 线上 "网上受理"', "")
    result = dsl.compile_files("demo-xiaozhen", files)
    assert result.county is not None
    assert any("县区没有网上渠道" in d.message for d in result.diagnostics)  # yidi check warns
    versions.publish(db, result.county, by="test")
    page = client.get("/online/demo-xiaozhen")
    assert page.status_code == 404
    assert "小镇县暂不接受网上提交的诉求（没有网上受理渠道）" in page.text
    posted = client.post("/online/demo-xiaozhen", data={"summary": "噪音"})
    assert posted.status_code in (403, 404)  # no form to post to (CSRF or the same refusal)
    with db.connect() as conn:
        assert conn.execute(select(CASE.c.id)).first() is None


def test_an_intake_without_a_location_says_so_in_chinese(client: TestClient, db: Engine) -> None:
    model = dsl.compile_county(DEFINITIONS / "demo-xiaozhen")
    versions.publish(db, model, by="test")
    from engine.cases import Engine as Workflow
    from engine.errors import ActionRefused

    with pytest.raises(ActionRefused) as refused:
        Workflow(db).receive(
            "线上",
            "demo-xiaozhen",
            channel="来访",
            category="邻里纠纷",
            severity="一般",
            location=None,  # type: ignore[arg-type]  # what a form without 发生地 gave
            parties=[{"name": "张三"}],
            data={"summary": "邻居装修噪音扰民，协商未果"},
        )
    assert str(refused.value) == "请填写发生地：没有发生地的案件无法分派"
    assert "None" not in str(refused.value)
