"""签收, 中止, 恢复 and 延期 from the case page over HTTP (xiaogan: its 办理 step allows
suspension and extension with a 负责人's approval): offered only to who may do them, each a
CSRF-protected POST, bad input answered in Chinese on the page with nothing written."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.testclient import TestClient

import admin.web
from admin.accounts import AccountMembership, MembershipSpec, UserAccount
from admin.demo import demo_password
from engine.cases import Engine as Workflow
from engine.tables import CASE, TICKET, Event
from tests.web.casework import MONDAY, open_case, open_ticket
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.flow import COUNTY_CENTER, TOWN

EVENT = Event.__table__


# The town's 负责人 who approves 中止/延期 of its tickets (审批人 负责人), and the county
# center's, who holds the role at another level and may not approve them.
WANG = "wangzr"
COUNTY_HEAD = "xianzr"


@pytest.fixture(autouse=True)
def heads(people, make_user):
    make_user(WANG, MembershipSpec(TOWN, "负责人"), display_name="王主任")
    make_user(COUNTY_HEAD, MembershipSpec(COUNTY_CENTER, "负责人"), display_name="县中心李主任")


def sign_in(client: TestClient, username: str, password: str | None = None) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": password or demo_password(),
            "csrf_token": token,
        },
    )
    assert answer.status_code == 303, answer.text


def post(client: TestClient, code: str, path: str, **fields: str) -> Any:
    token = csrf_of(client, f"/cases/{code}")
    return client.post(path, data={**fields, "csrf_token": token})


def state(db: Engine, code: str) -> dict[str, Any]:
    """What the database holds about the case: status, due times, and its events."""
    with db.connect() as conn:
        case = conn.execute(select(CASE).where(CASE.c.code == code)).mappings().one()
        tickets = conn.execute(
            select(TICKET.c.id, TICKET.c.state, TICKET.c.claimed_by, TICKET.c.due_at)
            .where(TICKET.c.case_id == case["id"])
            .order_by(TICKET.c.id)
        ).all()
        events = conn.execute(
            select(EVENT.c.kind, EVENT.c.note)
            .where(EVENT.c.case_id == case["id"])
            .order_by(EVENT.c.id)
        ).all()
    return {
        "status": case["status"],
        "due_at": case["due_at"],
        "tickets": [tuple(t) for t in tickets],
        "events": [tuple(e) for e in events],
    }


def timeline(page: str) -> str:
    return page.split("办理轨迹", 1)[1]


# --- 签收 ---------------------------------------------------------------------------------


def test_the_handler_signs_for_a_ticket_and_a_colleague_sees_who(
    client, db, people, clock, make_user
):
    code = open_case(db, clock)  # 办理: a step with a form, where 签收 is offered
    ticket = open_ticket(db, code)
    colleague = make_user(
        "colleague", MembershipSpec(TOWN, "承办人", "司法所"), display_name="同事小李"
    )
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert f'action="/tickets/{ticket}/claim"' in page

    answer = post(client, code, f"/tickets/{ticket}/claim")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{code}?did=claim#ticket-{ticket}"
    page = client.get(answer.headers["location"]).text
    assert "已由您签收" in page and "已签收：其他人员不能再办理此单" in page
    assert f'action="/tickets/{ticket}/claim"' not in page
    assert "签收" in timeline(page)
    assert state(db, code)["tickets"][-1][1:3] == ("claimed", people["handler"].username)

    sign_in(client, colleague, PASSWORD)
    page = client.get(f"/cases/{code}").text
    assert f"已由 {people['handler'].display_name} 签收" in page
    assert f'action="/tickets/{ticket}/claim"' not in page
    assert f"/tickets/{ticket}/act/" not in page  # nor the step's actions
    before = state(db, code)
    refused = post(client, code, f"/tickets/{ticket}/claim")
    assert refused.status_code == 409
    assert f"该单已由 {people['handler'].display_name} 签收" in refused.text
    assert state(db, code) == before


def test_claim_is_refused_to_a_role_that_does_not_work_the_ticket(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["dispatcher"].username)  # sees the town's case, is not the office
    page = client.get(f"/cases/{code}").text
    assert code in page and f'action="/tickets/{ticket}/claim"' not in page
    before = state(db, code)
    refused = post(client, code, f"/tickets/{ticket}/claim")
    assert refused.status_code == 409 and "您不是该单的办理人，不能签收" in refused.text
    assert state(db, code) == before


def test_a_ticket_of_another_towns_case_is_not_found(client, db, people, clock):
    code = open_case(db, clock, step="接单")
    ticket = open_ticket(db, code)
    sign_in(client, people["other_town_handler"].username)
    token = csrf_of(client, "/inbox")
    before = state(db, code)
    for op in ("claim", "suspend", "resume", "extend"):
        answer = client.post(
            f"/tickets/{ticket}/{op}",
            data={"csrf_token": token, "reason": "越权", "approver": "某人", "amount": "1"},
        )
        assert answer.status_code == 404, op
        assert "不在您的工作范围内" in answer.text
    assert state(db, code) == before
    assert client.post(f"/tickets/{10**20}/claim", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("op", ["claim", "suspend", "resume", "extend"])
def test_an_operation_without_the_csrf_token_is_refused(client, db, people, clock, op):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    before = state(db, code)
    fields = {"reason": "无令牌", "approver": WANG, "amount": "2", "unit": "workday"}
    answer = client.post(f"/tickets/{ticket}/{op}", data=fields)
    assert answer.status_code == 403
    assert state(db, code) == before


def test_the_engine_call_runs_off_the_event_loop(client, db, people, clock, monkeypatch):
    """The operation's database work runs in the thread pool, where a slow round trip does
    not hold up the worker's other requests. `database_work` keeps SQLite's work inline by
    design (a query there is CPU in this process), so on SQLite the test sends it to the pool
    as on PostgreSQL: either way it shows the handler hands its work to `database_work`."""
    if db.dialect.name == "sqlite":

        async def in_pool(request: Request, work: Any, *args: Any) -> Any:
            return await run_in_threadpool(work, *args)

        monkeypatch.setattr(admin.web, "database_work", in_pool)
    on_loop: list[bool] = []
    real = Workflow.claim

    def claim(self: Workflow, *args: Any, **kwargs: Any) -> None:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # no loop runs in a thread-pool thread
            on_loop.append(False)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Workflow, "claim", claim)
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    answer = post(client, code, f"/tickets/{ticket}/claim")
    assert answer.status_code == 303, answer.text
    assert on_loop == [False]
    assert state(db, code)["tickets"][-1][1] == "claimed"


# --- 中止 and 恢复 --------------------------------------------------------------------------


def test_suspend_then_resume_moves_the_due_times_by_the_working_time_lost(
    client, db, people, clock
):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert f'action="/tickets/{ticket}/suspend"' in page
    assert "审批人（负责人，必填）" in page
    form = page.split(f'id="op-{ticket}-suspend"', 1)[1].split("</form>", 1)[0]
    offered = re.search(r'<select name="approver" required>(.*?)</select>', form, re.S)
    assert offered, form
    choices = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', offered.group(1))
    assert choices[0] == ("", "请选择") and (WANG, "王主任") in choices
    assert any(name.startswith("负责人（") for _, name in choices)  # the demo town head
    assert COUNTY_HEAD not in offered.group(1)  # the role at another level is not offered
    assert f'action="/tickets/{ticket}/resume"' not in page
    before = state(db, code)

    clock.set(MONDAY + timedelta(hours=1))
    answer = post(
        client, code, f"/tickets/{ticket}/suspend", reason="当事人外出务工", approver=WANG
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "已中止" in page and "期限停止计算" in page
    assert f'action="/tickets/{ticket}/resume"' in page
    assert f'action="/tickets/{ticket}/suspend"' not in page
    assert f"/tickets/{ticket}/act/" not in page  # no step action while suspended
    assert "当事人外出务工（审批：王主任）" in timeline(page)
    assert state(db, code)["status"] == "suspended"

    clock.set(MONDAY + timedelta(days=1, hours=1))  # a whole working day later
    answer = post(client, code, f"/tickets/{ticket}/resume", reason="当事人已返乡")
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    after = state(db, code)
    assert after["status"] == "open"
    assert after["due_at"] > before["due_at"]
    assert after["tickets"][-1][3] > before["tickets"][-1][3]
    assert [k for k, _ in after["events"][-2:]] == ["suspended", "resumed"]
    assert "恢复办理" in timeline(page)
    shown = re.search(rf'id="ticket-{ticket}".*?class="due">([^<]+)<', page, re.S)
    assert shown and shown.group(1) != "—"
    assert f'action="/tickets/{ticket}/suspend"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "", "approver": WANG}, "请填写中止理由"),
        ({"reason": "等待鉴定", "approver": " "}, "中止需要「负责人」审批，请选择审批人"),
        (
            {"reason": "等待鉴定", "approver": "某人"},
            "审批人应从本单位持有「负责人」角色的人员中选择",
        ),
        (
            {"reason": "等待鉴定", "approver": COUNTY_HEAD},
            "审批人应从本单位持有「负责人」角色的人员中选择",
        ),
        ({"reason": "长" * 501, "approver": WANG}, "理由不能超过 500 字"),
    ],
)
def test_bad_suspension_input_is_answered_in_chinese_and_writes_nothing(
    client, db, people, clock, fields, message
):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/suspend", **fields)
    assert answer.status_code == 422
    assert message in answer.text
    assert f'id="op-{ticket}-suspend" open' in answer.text  # the form stays open
    assert f">{fields['reason']}</textarea>" in answer.text  # as typed
    assert state(db, code) == before


def test_suspension_where_the_step_does_not_allow_it_is_refused(client, db, people, clock):
    code = open_case(db, clock, step="接单")  # 接单: 1 working day, no suspension
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    assert f'action="/tickets/{ticket}/suspend"' not in client.get(f"/cases/{code}").text
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/suspend", reason="试试", approver=WANG)
    assert answer.status_code == 409 and "该环节的时限规则不允许中止" in answer.text
    assert state(db, code) == before


def test_suspension_by_another_role_is_refused(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["dispatcher"].username)
    assert f'action="/tickets/{ticket}/suspend"' not in client.get(f"/cases/{code}").text
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/suspend", reason="代办", approver=WANG)
    assert answer.status_code == 409 and "您不是该单的办理人，不能中止" in answer.text
    assert state(db, code) == before


def test_resume_of_a_case_that_is_not_suspended_is_refused(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/resume")
    assert answer.status_code == 409 and "案件没有中止，无需恢复" in answer.text
    assert state(db, code) == before


def test_htmx_gets_the_error_in_a_page_it_swaps(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    token = csrf_of(client, f"/cases/{code}")
    answer = client.post(
        f"/tickets/{ticket}/suspend",
        data={"reason": "", "approver": WANG},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert answer.status_code == 200  # htmx swaps only 2xx answers
    assert 'id="case-body"' in answer.text and "请填写中止理由" in answer.text
    assert state(db, code)["status"] == "open"


# --- 延期 ---------------------------------------------------------------------------------


def test_extension_adds_working_days_to_the_ticket_and_is_recorded(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert f'action="/tickets/{ticket}/extend"' in page
    assert "<summary>申请延期</summary>" in page  # the definition's name for it
    assert f"/tickets/{ticket}/act/" in page
    assert "act/%E7%94%B3%E8%AF%B7%E5%BB%B6%E6%9C%9F" not in page  # not also as a link
    before = state(db, code)
    answer = post(
        client,
        code,
        f"/tickets/{ticket}/extend",
        amount="2",
        unit="workday",
        reason="需要等待鉴定结果",
        approver=WANG,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    after = state(db, code)
    assert after["tickets"][-1][3] > before["tickets"][-1][3]
    assert after["events"][-1] == ("extended", "需要等待鉴定结果（审批：王主任）")
    assert "延期" in timeline(page) and "已延期" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "两天", "unit": "workday"}, "延期时长应为 1 到 365 之间的整数"),
        ({"amount": "0", "unit": "workday"}, "延期时长应为 1 到 365 之间的整数"),
        ({"amount": "400", "unit": "workday"}, "延期时长应为 1 到 365 之间的整数"),
        ({"amount": "2", "unit": "fortnight"}, "请选择延期单位：工作日、天、小时"),
        ({"amount": "2", "unit": "day", "reason": ""}, "请填写申请延期理由"),
    ],
)
def test_bad_extension_input_is_answered_in_chinese_and_writes_nothing(
    client, db, people, clock, fields, message
):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    before = state(db, code)
    answer = post(
        client,
        code,
        f"/tickets/{ticket}/extend",
        **{"reason": "等待鉴定", "approver": WANG, **fields},
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert f'value="{fields["amount"]}"' in answer.text  # shown again as typed
    assert state(db, code) == before


def test_the_definitions_extend_action_leads_to_the_case_page_form(client, db, people, clock):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    answer = client.get(f"/tickets/{ticket}/act/申请延期")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{code}#op-{ticket}-extend"
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EVENT)).scalar_one() == len(
            state(db, code)["events"]
        )


def test_a_ticket_signed_for_by_a_colleague_cannot_be_suspended_by_another(
    client, db, people, clock, make_user
):
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    colleague = make_user(
        "colleague", MembershipSpec(TOWN, "承办人", "司法所"), display_name="同事小李"
    )
    sign_in(client, colleague, PASSWORD)
    assert post(client, code, f"/tickets/{ticket}/claim").status_code == 303
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    assert "已由 同事小李 签收" in page
    assert f'action="/tickets/{ticket}/suspend"' not in page
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/suspend", reason="代办", approver=WANG)
    assert answer.status_code == 409
    assert "该单已由 同事小李 签收，只有签收人可以中止" in answer.text
    assert state(db, code) == before


def test_the_case_page_names_people_by_their_display_names(client, db, people, clock):
    code = open_case(db, clock, step="接单")
    ticket = open_ticket(db, code)
    handler = people["handler"]
    assert handler.display_name != handler.username
    sign_in(client, handler.username)
    work = post(client, code, f"/tickets/{ticket}/act/接收")  # the step record of 接单
    assert work.status_code == 303, work.text[:300]
    page = client.get(f"/cases/{code}").text
    entries = timeline(page)
    assert f"<strong>签收</strong> · {handler.display_name}" in entries
    assert f"· {handler.username}<" not in entries
    records = re.findall(r"<h2>.*?</h2>", page, re.S)
    # the action by its name in the definition (接收 "接单"), not its key
    assert any(handler.display_name in r and "· 接单 ·" in r for r in records), records


def test_without_an_active_approver_at_the_tickets_center_nothing_can_be_approved(
    client, db, people, clock
):
    """Only staff who hold the role now count: with the town's 负责人 accounts deactivated
    the page says so instead of offering a choice, and the POST is refused, writing nothing."""
    users, members = UserAccount.__table__, AccountMembership.__table__
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    with db.begin() as conn:
        heads = conn.execute(
            select(users.c.id)
            .join(members, members.c.user_id == users.c.id)
            .where(members.c.center == TOWN, members.c.role == "负责人")
        ).scalars()
        conn.execute(users.update().where(users.c.id.in_(list(heads))).values(active=False))
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    form = page.split(f'id="op-{ticket}-suspend"', 1)[1].split("</form>", 1)[0]
    assert "本单位没有持有「负责人」角色的在岗人员，无法审批中止" in form
    assert 'name="approver"' not in form and "disabled" in form
    before = state(db, code)
    answer = post(client, code, f"/tickets/{ticket}/suspend", reason="等待鉴定", approver=WANG)
    assert answer.status_code == 422
    assert "本单位没有持有「负责人」角色的在岗人员，无法审批中止" in answer.text
    assert state(db, code) == before


def test_two_approvers_of_one_name_are_told_apart_and_recorded_so(
    client, db, people, clock, make_user
):
    make_user("wangzr2", MembershipSpec(TOWN, "负责人"), display_name="王主任")
    code = open_case(db, clock)
    ticket = open_ticket(db, code)
    sign_in(client, people["handler"].username)
    page = client.get(f"/cases/{code}").text
    form = page.split(f'id="op-{ticket}-suspend"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{WANG}">王主任（{WANG}）</option>' in form
    assert '<option value="wangzr2">王主任（wangzr2）</option>' in form
    answer = post(client, code, f"/tickets/{ticket}/suspend", reason="等待鉴定", approver="wangzr2")
    assert answer.status_code == 303
    assert state(db, code)["events"][-1] == ("suspended", "等待鉴定（审批：王主任（wangzr2））")
