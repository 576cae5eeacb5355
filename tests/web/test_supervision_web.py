"""督办 from the case page over HTTP, on the seed county 孝感: a supervisor in scope issues a
督办单 to an office (CSRF-protected POST), the office finds it in its inbox's 督办 tab and
replies on the act page, the case page shows both with their timeline labels, and the overdue
board counts it per office. Anyone else, and bad input, is refused in Chinese with nothing
written."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin.accounts import MembershipSpec
from engine import supervision
from engine.tables import TICKET
from tests.web.casework import open_case, open_ticket
from tests.web.conftest import PASSWORD, csrf_of
from tests.web.flow import COUNTY_CENTER, HANDLING_FIELDS, TOWN
from tests.web.test_web_ticket_ops import sign_in, timeline


def notices(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(supervision.NOTICE)).mappings()]


def post(client: TestClient, code: str, **fields: str) -> Any:
    token = csrf_of(client, f"/cases/{code}")
    return client.post(f"/cases/{code}/supervise", data={**fields, "csrf_token": token})


def supervisor(make_user: Any) -> str:
    return make_user("dubanyuan", MembershipSpec(COUNTY_CENTER, "督办员"), display_name="督办员甲")


def test_a_supervisor_issues_and_the_office_replies_from_its_inbox(
    client, db, people, clock, make_user
):
    code = open_case(db, clock)
    sign_in(client, supervisor(make_user), PASSWORD)
    page = client.get(f"/cases/{code}").text
    assert f'action="/cases/{code}/supervise"' in page and "不填则为 2 个工作日" in page
    answer = post(client, code, office="司法所", reason="群众多次来电催问，请加快办理", days="3")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{code}?did=supervise#supervision"
    page = client.get(answer.headers["location"]).text
    assert "已开具督办单" in page and "群众多次来电催问，请加快办理" in page and "待回复" in page
    assert "开具督办单" in timeline(page) and "督办员甲" in timeline(page)
    [notice] = notices(db)
    assert (notice["office"], notice["issuer_role"]) == ("司法所", "督办员")

    sign_in(client, people["handler"].username)
    assert code in client.get("/inbox?tab=supervised").text
    act = f"/tickets/{notice['ticket_id']}/act/{quote('回复督办')}"
    form = client.get(act).text
    assert "回复内容（必填）" in form
    token = csrf_of(client, act)
    empty = client.post(act, data={"csrf_token": token, "_reason": " "})
    assert empty.status_code == 422 and "请填写理由" in empty.text
    assert notices(db)[0]["replied_at"] is None
    done = client.post(act, data={"csrf_token": token, "_reason": "已约双方周四到所调解"})
    assert done.status_code == 303
    page = client.get(f"/cases/{code}").text
    assert "按期回复" in page and "已约双方周四到所调解" in page
    assert "回复督办单" in timeline(page)
    assert notices(db)[0]["late"] is False


def test_the_form_is_for_supervisors_in_scope_and_a_forged_post_writes_nothing(
    client, db, people, clock, make_user
):
    code = open_case(db, clock)
    sign_in(client, people["handler"].username)  # the office itself: no form
    assert f'action="/cases/{code}/supervise"' not in client.get(f"/cases/{code}").text
    answer = post(client, code, office="司法所", reason="自己督办自己")
    assert answer.status_code == 409 and "您不是本案的督办人" in answer.text
    town = make_user("zhendubanyuan", MembershipSpec(TOWN, "督办员"))  # 镇 is not declared
    sign_in(client, town, PASSWORD)
    assert f'action="/cases/{code}/supervise"' not in client.get(f"/cases/{code}").text
    assert post(client, code, office="司法所", reason="越级").status_code == 409
    outsider = make_user("other", MembershipSpec("新华街道", "督办员"))
    sign_in(client, outsider, PASSWORD)
    assert post(client, code, office="司法所", reason="别镇").status_code == 404
    assert notices(db) == []


def test_bad_input_is_answered_in_chinese_next_to_the_form(client, db, people, clock, make_user):
    code = open_case(db, clock)
    sign_in(client, supervisor(make_user), PASSWORD)
    for fields, status, message in (
        (
            {"office": "司法所", "reason": "催办", "days": "三"},
            422,
            "回复期限应为 1 到 60 之间的整数",
        ),
        ({"office": "司法所", "reason": "催办", "days": "0"}, 422, "回复期限应为 1 到 60"),
        ({"office": "司法所", "reason": "  "}, 422, "请填写督办事由"),
        ({"office": "", "reason": "催办"}, 422, "请选择被督办单位"),
        ({"office": "司法所", "reason": "催" * 501}, 422, "督办事由不能超过 500 字"),
        ({"office": "司法局", "reason": "催办"}, 409, "单位「司法局」不在书院街道"),
    ):
        answer = post(client, code, **fields)
        assert answer.status_code == status, fields
        assert message in answer.text and 'id="problem-supervise"' in answer.text
    no_token = client.post(f"/cases/{code}/supervise", data={"office": "司法所", "reason": "x"})
    assert no_token.status_code == 403
    assert notices(db) == []
    with db.connect() as conn:  # no stray ticket either
        count = conn.execute(
            select(func.count()).where(TICKET.c.kind == "supervision", TICKET.c.office.is_not(None))
        ).scalar_one()
    assert count == 0


def test_the_overdue_board_counts_supervision_per_office(client, db, people, clock, make_user):
    from datetime import timedelta

    first, second = open_case(db, clock), open_case(db, clock)
    sign_in(client, supervisor(make_user), PASSWORD)
    assert post(client, first, office="司法所", reason="催办一", days="1").status_code == 303
    assert post(client, second, office="司法所", reason="催办二", days="1").status_code == 303
    sign_in(client, people["handler"].username)
    [one, two] = notices(db)
    act = f"/tickets/{one['ticket_id']}/act/{quote('回复督办')}"
    client.post(act, data={"csrf_token": csrf_of(client, act), "_reason": "已办"})
    clock.advance(timedelta(days=3))
    act = f"/tickets/{two['ticket_id']}/act/{quote('回复督办')}"
    client.post(act, data={"csrf_token": csrf_of(client, act), "_reason": "迟复"})
    third = open_case(db, clock)
    sign_in(client, "dubanyuan", PASSWORD)
    assert post(client, third, office="司法所", reason="催办三").status_code == 303
    html = client.get("/dashboards/overdue").text
    table = html.split("督办单统计（按被督办单位）", 1)[1]
    row = table.split("司法所", 1)[1].split("</tr>", 1)[0]
    cells = {
        key: row.split(f'data-metric="{key}">', 1)[1].split("<", 1)[0]
        for key in ("issued", "on_time", "late", "open")
    }
    assert cells == {"issued": "3", "on_time": "1", "late": "1", "open": "1"}


def test_the_link_follows_handling_in_the_supervisors_inbox(client, db, people, clock, make_user):
    """孝感's 督办单 (类型 督办, 伴随 接单, 办理): open in the county supervisor's 督办 tab while
    the office accepts and handles the case, gone once handling is done; the chain never
    waited for it."""
    code = open_case(db, clock, step="接单")
    sign_in(client, supervisor(make_user), PASSWORD)
    assert code in client.get("/inbox?tab=supervised").text
    page = client.get(f"/cases/{code}").text
    assert "开始跟踪督办" in timeline(page) and "当前环节：接单" in page
    sign_in(client, people["handler"].username)
    for action, fields in (("接收", {}), ("化解", HANDLING_FIELDS)):
        url = f"/tickets/{open_ticket(db, code)}/act/{quote(action)}"
        answer = client.post(url, data={"csrf_token": csrf_of(client, url), **fields})
        assert answer.status_code == 303, answer.text[-1500:]
    sign_in(client, "dubanyuan", PASSWORD)
    assert code not in client.get("/inbox?tab=supervised").text
    page = client.get(f"/cases/{code}").text
    assert "结束跟踪督办" in timeline(page) and "当前环节：评单" in page
