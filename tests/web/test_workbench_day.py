"""A day at the center, over HTTP (issue 18, the staff workbench): every choice a choice from
the county's definition, the decision page showing what the decider needs, defaults filled,
and the clutter gone (签收 once, 单 once, the ticket's own level, 退回 marked, the repeat-visit
form for the window only, parties once, a stale action link answered in words)."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from engine.cases import Engine as Workflow
from engine.scope import system
from engine.tables import CASE, TICKET
from tests.web.casework import open_case, open_ticket
from tests.web.conftest import csrf_of
from tests.web.counties import intake_data
from tests.web.test_web_ticket_ops import post, sign_in, timeline

HANDLING = {"method": "人民调解", "result": "化解成功", "notes": "双方达成和解，签订调解协议。"}


def case_row(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).one()


def action_url(page: str, name: str) -> str:
    found = re.search(rf'href="(/tickets/\d+/act/[^"]+)">{name}<', page)
    assert found, f"no action {name}"
    return found.group(1)


def dispatch_page(client: TestClient, people: dict[str, Any], code: str) -> tuple[str, str]:
    sign_in(client, people["dispatcher"].username)
    url = action_url(client.get(f"/cases/{code}").text, "派发给承办单位")
    return url, client.get(url).text


def select_of(page: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {name}"
    return found.group(1)


# --- 1. every choice is a choice ------------------------------------------------------------


def test_dispatch_offers_the_offices_stationed_at_the_center_with_the_suggestion_in_words(
    client, db, people, clock
):
    code = open_case(db, clock, step="派单")
    _, page = dispatch_page(client, people, code)
    offices = select_of(page, "office")
    # 书院街道 (镇) hosts 综治中心, 司法所 and 人民调解委员会; the county-level ones are not there
    assert re.findall(r'<option value="([^"]*)"', offices) == [
        "",
        "综治中心",
        "司法所",
        "人民调解委员会",
    ]
    assert "综治中心（无差别受理）" in offices  # the office's display name
    assert re.search(r'<option value="司法所"\s+selected', offices)  # routing's choice
    assert "司法局" not in offices and "劳动人事争议仲裁委" not in offices
    assert "建议分流：等级 一般 → 乡镇（街道）级 司法所" in page
    assert "行规则" not in page


def test_a_labour_dispute_is_suggested_with_its_category_rule(client, db, people, clock):
    data = intake_data(channel="来访", category="劳动争议")
    view = Workflow(db, clock).receive(
        system("测试", "xiaogan"),
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category="劳动争议",
        severity="一般",
        location="书院社区",
        parties=data["parties"],
        data=data,
        center="书院街道",
    )
    assert case_row(db, view.code).center == "孝南区中心"
    sign_in(client, people["revisitor"].username)  # sees the county center's case
    with db.connect() as conn:
        assert (
            conn.execute(
                select(TICKET.c.role).where(TICKET.c.id == open_ticket(db, view.code))
            ).scalar_one()
            == "调度员"
        )
    text = html.unescape(timeline(client.get(f"/cases/{view.code}").text))
    assert "分流：事项类型 劳动争议 → 县（市、区）级 劳动人事争议仲裁委" in text


def test_the_dispatcher_may_type_the_office_as_people_name_it(client, db, people, clock):
    for typed, office in (("书院街道司法所", "司法所"), ("综治中心（无差别受理）", "综治中心")):
        code = open_case(db, clock, step="派单")
        url, _ = dispatch_page(client, people, code)
        token = csrf_of(client, url)
        answer = client.post(url, data={"office": typed, "csrf_token": token})
        assert answer.status_code == 303, answer.text
        assert case_row(db, code).office == office


def test_an_office_not_stationed_there_is_refused_in_words(client, db, people, clock):
    code = open_case(db, clock, step="派单")
    url, _ = dispatch_page(client, people, code)
    token = csrf_of(client, url)
    answer = client.post(url, data={"office": "司法局", "csrf_token": token})
    assert answer.status_code == 422
    assert "请从选项中选择" in answer.text
    assert case_row(db, code).step == "派单"


def test_the_engine_reads_an_office_named_after_its_center(db, people, clock):
    code = open_case(db, clock, step="派单")
    Workflow(db, clock).act(
        system("测试", "xiaogan"),
        open_ticket(db, code),
        "派发",
        {"office": "书院街道人民调解委员会"},
    )
    assert case_row(db, code).office == "人民调解委员会"


# --- 2. inbox filters are choices -----------------------------------------------------------


def test_the_inbox_filters_are_choices_from_the_definition(client, db, people, clock):
    code = open_case(db, clock, step="派单")
    sign_in(client, people["dispatcher"].username)
    page = client.get("/inbox").text
    steps = select_of(page, "step")
    assert '<option value="派单">' in steps and '<option value="办理">' in steps
    assert "已办结" not in steps  # the end is not a step anyone works
    categories = select_of(page, "category")
    assert '<option value="离婚纠纷">婚姻家庭 · 离婚纠纷</option>' in categories
    assert '<option value="重特大">' in select_of(page, "severity")
    assert '<option value="镇">乡镇（街道）级</option>' in select_of(page, "level")
    assert '<option value="来访">群众来访</option>' in select_of(page, "channel")
    chosen = client.get("/inbox?category=邻里纠纷&step=派单").text
    assert code in chosen
    assert re.search(r'<option value="邻里纠纷"\s+selected', select_of(chosen, "category"))
    assert code not in client.get("/inbox?category=劳动争议").text


# --- 3. the decision page shows what the decider needs --------------------------------------


def test_the_act_page_shows_facts_parties_deadline_and_history(client, db, people, clock):
    code = open_case(db, clock, step="派单")
    _, page = dispatch_page(client, people, code)
    facts = page.split('class="decision-facts"', 1)[1]
    assert "邻里纠纷" in facts and "一般" in facts and "书院社区" in facts
    assert "邻居装修噪音扰民" in facts  # the summary
    assert "王小明" in facts
    assert "本单期限" in facts and "办结期限" in facts
    assert "受理登记" in facts.split("办理轨迹", 1)[1]  # the history
    # parties as the case page shows them to the same person
    case_page = client.get(f"/cases/{code}").text
    party_row = re.search(r"<td>王小明</td>.*?</tr>", case_page, re.S)
    assert party_row and party_row.group(0) in facts


# --- 4. defaults in the schema are filled in ------------------------------------------------


def test_a_fresh_intake_has_the_schemas_defaults(client, people, clock):
    sign_in(client, people["clerk"].username)
    page = client.get("/intake").text
    assert re.search(r'<option value="一般"\s+selected', select_of(page, "severity"))
    assert re.search(r'<option value="申请人"\s+selected', select_of(page, "parties/0/role"))


def test_the_online_intake_and_the_console_preview_have_the_defaults(client, db, people, clock):
    from admin.accounts import create_user
    from tests.web.conftest import PASSWORD, login

    client.cookies.clear()
    online = client.get("/online/xiaogan").text
    # whichever fields the public sees (网上受理), a default of the schema is filled in
    assert re.search(r'<option value="申请人"\s+selected', select_of(online, "parties/0/role"))
    create_user(
        db,
        "xg_admin",
        PASSWORD,
        display_name="管理员",
        county="xiaogan",
        memberships=[],
        is_admin=True,
    )
    assert login(client, "xg_admin") == 303
    preview = client.get("/console/forms/preview?name=受理登记").text
    assert re.search(r'<option value="一般"\s+selected', select_of(preview, "severity"))


# --- 5. clutter -------------------------------------------------------------------------


def test_accepting_is_one_click_and_the_handling_is_then_the_accepters(client, db, people, clock):
    code = open_case(db, clock, step="接单")
    accept = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert "op-claim" not in page  # 接单 is the acceptance: no 签收 before it
    refused = post(client, code, f"/tickets/{accept}/claim")
    assert refused.status_code == 409 and "该环节无需签收，请直接办理" in refused.text
    assert post(client, code, f"/tickets/{accept}/act/接收").status_code == 303
    handling = open_ticket(db, code)
    with db.connect() as conn:
        row = conn.execute(select(TICKET).where(TICKET.c.id == handling)).one()
    assert (row.step, row.state, row.claimed_by) == ("办理", "claimed", people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert "op-claim" not in page and "已由您签收" in page
    assert "调处化解" in page


def test_the_repeat_visit_form_is_the_windows_folded(client, db, people, clock):
    code = open_case(db, clock)
    sign_in(client, people["handler"].username)
    assert "登记再次来访" not in client.get(f"/cases/{code}").text
    sign_in(client, people["clerk"].username)
    page = client.get(f"/cases/{code}").text
    assert '<details class="op visit">' in page  # folded until wanted


def test_the_parties_are_shown_once_on_the_case_page(client, db, people, clock):
    code = open_case(db, clock)
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert page.count("王小明") == 1
    intake = page.split("受理登记内容", 1)[1].split("</section>", 1)[0]
    assert "<dt>当事人</dt>" not in intake  # not even an empty 当事人 line
    assert "邻居装修噪音扰民" in page  # the rest of the intake is still there


def test_an_inbox_line_names_its_ticket_once_and_its_own_level(client, db, people, clock):
    code = open_case(db, clock)
    actor = system("测试", "xiaogan")
    work = Workflow(db, clock)
    work.act(actor, open_ticket(db, code), "化解", HANDLING)
    work.act(actor, open_ticket(db, code), "评价完成", {"score": "满意"})
    sign_in(client, people["revisitor"].username)  # 核单 at the county center
    page = client.get("/inbox").text
    line = re.search(rf'<tr>\s*<td><a href="/cases/{code}">.*?</tr>', page, re.S)
    assert line, page
    assert "县（市、区）级 · 孝南区中心" in line.group(0)
    assert "镇 · 孝南区中心" not in line.group(0)
    assert line.group(0).count("核单") == 1

    sign_in(client, people["dispatcher"].username)
    fresh = open_case(db, clock, step="派单")
    line = re.search(
        rf'<tr>\s*<td><a href="/cases/{fresh}">.*?</tr>', client.get("/inbox").text, re.S
    )
    assert line and line.group(0).count("派单") == 1


def test_a_returned_case_is_marked_with_the_reason(client, db, people, clock):
    code = open_case(db, clock, step="接单")
    sign_in(client, people["handler"].username)
    answer = post(
        client, code, f"/tickets/{open_ticket(db, code)}/act/退单", _reason="不属于本所职责"
    )
    assert answer.status_code == 303, answer.text
    sign_in(client, people["dispatcher"].username)
    line = re.search(
        rf'<tr>\s*<td><a href="/cases/{code}">.*?</tr>', client.get("/inbox").text, re.S
    )
    assert line and "退回：不属于本所职责" in line.group(0)
    other = open_case(db, clock, step="派单")
    line = re.search(
        rf'<tr>\s*<td><a href="/cases/{other}">.*?</tr>', client.get("/inbox").text, re.S
    )
    assert line and "退回" not in line.group(0)


def test_a_stale_action_link_says_who_handled_it(client, db, people, clock):
    code = open_case(db, clock, step="派单")
    url, _ = dispatch_page(client, people, code)
    token = csrf_of(client, url)
    assert client.post(url, data={"office": "司法所", "csrf_token": token}).status_code == 303
    for answer in (
        client.get(url),
        client.post(url, data={"office": "司法所", "csrf_token": token}),
    ):
        assert answer.status_code == 409
        text = html.unescape(answer.text)
        assert f"该单已由 {people['dispatcher'].display_name} 于 " in text
        assert "办理完毕，无需再次办理" in text
        assert f'href="/cases/{code}"' in text
    assert case_row(db, code).step == "接单"


def test_an_action_link_to_a_ticket_a_colleague_signed_for_says_who(
    client, db, people, clock, make_user
):
    from admin.accounts import MembershipSpec

    code = open_case(db, clock)
    colleague = make_user(
        "colleague", MembershipSpec("书院街道", "承办人", "司法所"), display_name="同事小李"
    )
    sign_in(client, colleague, "Yidi-test-2026")
    url = action_url(client.get(f"/cases/{code}").text, "调处化解")
    sign_in(client, people["handler"].username)
    assert post(client, code, f"/tickets/{open_ticket(db, code)}/claim").status_code == 303
    sign_in(client, colleague, "Yidi-test-2026")
    answer = client.get(url)
    assert answer.status_code == 409
    assert f"该单已由 {people['handler'].display_name} 签收，正在办理。" in html.unescape(
        answer.text
    )
