"""The action-driven constructs of the language do what docs/language.md §12 says, through the
real app over HTTP as the staff who would use them (构造县, tests/web/constructs_county.py):
`@ 窗口`, `标签` routing, `退回`, `下沉`, `分流` with `引导 … 事项`, `结果`, `参与`,
`差评 … 重开` and the conditions 属于/不属于/已填/未填/非. Both backends."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine.tables import CASE, EVENT, TICKET
from tests.support import csrf_of
from tests.web.constructs_county import COUNTY, ISLAND_VILLAGE, TOWN, VILLAGE, publish
from tests.web.test_web_rules import act, acted, action_url, sign_in


@pytest.fixture
def county(db: Engine) -> Any:
    return publish(db)


def register(
    client: TestClient,
    category: str = "邻里纠纷",
    severity: str = "一般",
    *,
    clerk: str = "gc_clerk",
    window: str = COUNTY,
    town: str = TOWN,
    village: str = "",
    phone: str = "",
) -> str:
    sign_in(client, clerk)
    token = csrf_of(client, "/intake")
    fields = {
        "category": category,
        "severity": severity,
        "location/town": town,
        "location/village": village,
        "parties/0/name": "王小明",
        "phone": phone,
        "summary": "邻居搭建围墙占道，协商未果",
        "_channel": "来访",
        "_window": f"综合窗口|{window}",
        "_visits": "1",
        "csrf_token": token,
    }
    response = client.post("/intake", data=fields)
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["location"]).text
    found = re.search(r'class="code">([A-Z]+-\d{4}-\d{6})<', receipt)
    assert found, receipt
    return found.group(1)


def tickets(db: Engine, code: str, *states: str) -> list[tuple[str, str, str | None, str]]:
    """(step, center, office, role) of the case's tickets in `states` (open ones by default)."""
    with db.connect() as conn:
        rows = conn.execute(
            select(TICKET.c.step, TICKET.c.center, TICKET.c.office, TICKET.c.role)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(CASE.c.code == code, TICKET.c.state.in_(states or ("open", "claimed")))
            .order_by(TICKET.c.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def case_row(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).mappings().one()


def notes(db: Engine, code: str, kind: str) -> list[str | None]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.note)
                .join(CASE, CASE.c.id == EVENT.c.case_id)
                .where(CASE.c.code == code, EVENT.c.kind == kind)
                .order_by(EVENT.c.id)
            ).scalars()
        )


def offered(client: TestClient, code: str) -> set[str]:
    """The action buttons the signed-in user sees on the case page."""
    page = client.get(f"/cases/{code}").text
    return set(re.findall(r'href="/tickets/\d+/act/[^"]+">([^<]+)<', page))


def dispatched(client: TestClient, db: Engine, **intake: Any) -> str:
    """A town case registered at the county window, sent on by that window to 东镇's 司法所."""
    code = register(client, **intake)
    sign_in(client, "gc_clerk")
    acted(client, code, "派单", {})
    assert tickets(db, code) == [("调解", TOWN, "司法所", "承办人")]
    return code


def test_the_receiving_window_keeps_the_first_ticket_and_a_return_needs_a_reason(
    client: TestClient, db: Engine, county: Any
) -> None:
    # `@ 窗口`: the county window took a 东镇 case; its first ticket stays at that window
    # (首问负责), not at the town the case is routed to.
    code = register(client, clerk="gc_clerk", window=COUNTY)
    assert case_row(db, code)["center"] == TOWN
    assert tickets(db, code) == [("首问", COUNTY, None, "窗口人员")]
    sign_in(client, "gc_town_clerk")
    assert code not in client.get("/inbox").text
    sign_in(client, "gc_clerk")
    assert code in client.get("/inbox").text
    # the same case taken at the town's window starts at the town's window
    there = register(client, clerk="gc_town_clerk", window=TOWN)
    assert tickets(db, there) == [("首问", TOWN, None, "窗口人员")]

    # `退回`: refused without a reason (nothing written), back to 首问 with one.
    sign_in(client, "gc_clerk")
    acted(client, code, "派单", {})
    sign_in(client, "gc_town_handler")
    refused = act(client, code, "退回", {"notes": "不属于本所"})
    assert refused.status_code == 422 and "请填写理由" in refused.text
    assert tickets(db, code) == [("调解", TOWN, "司法所", "承办人")]
    acted(client, code, "退回", {"notes": "不属于本所", "_reason": "当事人住在县城，请重新派单"})
    assert tickets(db, code) == [("首问", COUNTY, None, "窗口人员")]
    assert tickets(db, code, "returned") == [("调解", TOWN, "司法所", "承办人")]
    assert notes(db, code, "returned") == ["当事人住在县城，请重新派单"]
    sign_in(client, "gc_clerk")
    assert "当事人住在县城，请重新派单" in client.get(f"/cases/{code}").text


def test_a_town_office_pushes_a_case_down_to_its_village(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = dispatched(client, db)
    sign_in(client, "gc_town_handler")
    page = client.get(action_url(client, code, "下沉")).text
    assert '<select name="_choice"' in page and f'<option value="{VILLAGE}">' in page
    missing = act(client, code, "下沉", {"notes": "村里熟悉情况"})
    assert missing.status_code == 422 and "请选择下沉到哪里" in missing.text
    wrong = act(client, code, "下沉", {"notes": "村里熟悉情况", "_choice": ISLAND_VILLAGE})
    assert wrong.status_code == 409 and "不是「东镇」的下级中心" in wrong.text
    assert tickets(db, code) == [("调解", TOWN, "司法所", "承办人")]
    acted(client, code, "下沉", {"notes": "村里熟悉情况", "_choice": VILLAGE})
    assert tickets(db, code) == [("调解", VILLAGE, "司法所", "承办人")]
    row = case_row(db, code)
    assert (row["center"], row["level"]) == (VILLAGE, "村")
    sign_in(client, "gc_village_handler")
    assert code in client.get("/inbox").text
    acted(client, code, "化解", {"notes": "村调委会调解成功"})


def test_a_diversion_offers_only_the_channels_of_the_cases_category(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = dispatched(client, db, category="劳动争议")
    sign_in(client, "gc_town_handler")
    page = client.get(action_url(client, code, "引导")).text
    assert '<option value="劳动仲裁">' in page
    assert '<option value="诉讼">' not in page  # 引导 诉讼 … 事项 合同纠纷
    wrong = act(client, code, "引导", {"notes": "欠薪纠纷", "_choice": "诉讼"})
    assert wrong.status_code == 409 and "「劳动争议」不能引导至「诉讼」" in wrong.text
    assert case_row(db, code)["diversion"] is None
    acted(client, code, "引导", {"notes": "欠薪纠纷，依法申请仲裁", "_choice": "劳动仲裁"})
    row = case_row(db, code)
    assert (row["diversion"], row["outcome"], row["resolved"]) == ("劳动仲裁", "分流", False)
    assert len(notes(db, code, "diverted")) == 1
    assert tickets(db, code) == [("评价", COUNTY, None, "回访员")]
    # a 合同纠纷 case is offered 诉讼 and not 劳动仲裁
    other = dispatched(client, db, category="合同纠纷")
    sign_in(client, "gc_town_handler")
    page = client.get(action_url(client, other, "引导")).text
    assert '<option value="诉讼">' in page and '<option value="劳动仲裁">' not in page


def test_an_actions_outcome_is_recorded_and_a_poor_evaluation_reopens(
    client: TestClient, db: Engine, county: Any
) -> None:
    code = dispatched(client, db)
    sign_in(client, "gc_town_handler")
    acted(client, code, "化解", {"notes": "双方达成协议"})
    row = case_row(db, code)
    assert (row["outcome"], row["resolved"]) == ("化解成功", True)  # 结果 化解成功
    assert tickets(db, code) == [("评价", COUNTY, None, "回访员")]
    sign_in(client, "gc_visitor")
    acted(client, code, "评价完成", {"score": "不满意"})
    # 差评 不满意 重开 -> 调解: handled again by the office, counted as a reopening
    assert tickets(db, code) == [("调解", TOWN, "司法所", "承办人")]
    row = case_row(db, code)
    assert (row["status"], row["reopenings"], row["outcome"], row["satisfaction"]) == (
        "open",
        1,
        None,
        "不满意",
    )
    assert notes(db, code, "reopened") == ["评价为「不满意」，重新办理"]
    sign_in(client, "gc_town_handler")
    assert code in client.get("/inbox").text
    acted(client, code, "化解", {"notes": "再次上门协调"})
    sign_in(client, "gc_visitor")
    acted(client, code, "评价完成", {"score": "满意"})
    row = case_row(db, code)
    assert (row["status"], row["reopenings"], row["outcome"]) == ("closed", 1, "化解成功")


def test_conditions_offer_each_action_only_where_it_holds(
    client: TestClient, db: Engine, county: Any
) -> None:
    ordinary = dispatched(client, db, severity="一般", phone="13812345678")
    serious = dispatched(client, db, severity="较大")
    sign_in(client, "gc_town_handler")
    conditional = {"重大快办", "一般常办", "电话回告", "上门回告", "非一般"}
    # 不属于 [较大], 已填 on the intake's phone; 属于 [较大], 未填 and 非 等级 == 一般 do not hold
    assert offered(client, ordinary) & conditional == {"一般常办", "电话回告"}
    assert offered(client, serious) & conditional == {"重大快办", "上门回告", "非一般"}
    # an action whose condition does not hold is refused when posted directly
    ticket = re.search(r"/tickets/(\d+)/act/", action_url(client, ordinary, "化解"))
    assert ticket is not None
    url = f"/tickets/{ticket.group(1)}/act/非一般"
    token = csrf_of(client, f"/cases/{ordinary}")
    assert client.post(url, data={"notes": "试一试", "csrf_token": token}).status_code == 404
    assert tickets(db, ordinary) == [("调解", TOWN, "司法所", "承办人")]
    acted(client, serious, "非一般", {"notes": "较大纠纷，加快办理"})
    assert tickets(db, serious) == [("评价", COUNTY, None, "回访员")]


def test_a_case_at_a_tagged_centers_village_goes_to_a_consultation_of_every_participant(
    client: TestClient, db: Engine, county: Any
) -> None:
    # 渔村's town 西岛 carries 标签 海岛: `分派 标签 海岛 -> 县 海事处 流程 会商` matches it.
    code = register(client, town="西岛", village=ISLAND_VILLAGE)
    row = case_row(db, code)
    assert (row["office"], row["level"], row["center"], row["process"]) == (
        "海事处",
        "县",
        COUNTY,
        "会商",
    )
    # 参与 法官 @ 单位 法院, 律师 @ 单位 律师事务所: one ticket for each participant
    assert sorted(tickets(db, code)) == [
        ("会商", COUNTY, "律师事务所", "律师"),
        ("会商", COUNTY, "法院", "法官"),
    ]
    sign_in(client, "gc_judge")
    acted(client, code, "形成方案", {"opinion": "建议诉前调解"})
    assert tickets(db, code) == [("会商", COUNTY, "律师事务所", "律师")]  # waits for the lawyer
    assert case_row(db, code)["step"] == "会商"
    sign_in(client, "gc_lawyer")
    acted(client, code, "形成方案", {"opinion": "提供法律援助"})
    assert tickets(db, code) == [("落实", COUNTY, "海事处", "承办人")]
    # an untagged town's case takes the next route
    town = register(client)
    assert (case_row(db, town)["office"], case_row(db, town)["process"]) == ("司法所", "调处")
