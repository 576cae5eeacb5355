"""Accounts from the console: create, place, reset, deactivate, all audited; and scope: an
administrator of one county neither sees nor changes another county."""

from __future__ import annotations

import re

from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin.accounts import USERS, MembershipSpec
from admin.auth import load_user
from admin.console import people, store
from tests.console.conftest import PASSWORD, csrf_of, login

MEDIATOR = {"center": "城关镇", "office": "司法所", "window": "", "role": "承办人"}


def create(client: TestClient, token: str, username: str, **fields: str) -> object:
    data = {"username": username, "display_name": "张三", "password": "Zhang-2026-x", **MEDIATOR}
    data.update(fields)
    return client.post("/console/accounts", data={**data, "csrf_token": token})


def user_id(db: Engine, username: str) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar_one()
        )


def test_create_user_with_membership_audited(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    response = create(client, token, "zhangsan")
    assert response.status_code == 200 and "账号 zhangsan 已创建" in response.text
    found = people.account(qingshan, "qingshan", user_id(qingshan, "zhangsan"))
    assert found is not None
    assert found.memberships == (MembershipSpec("城关镇", "承办人", "司法所", None),)
    entry = store.audit_trail(qingshan, "qingshan")[0]
    assert (entry.actor, entry.action, entry.target) == ("qs_admin", "创建账号", "zhangsan")
    assert entry.after["memberships"] == ["城关镇 / 司法所 / 承办人"]
    assert "password" not in str(entry.after).lower()


def test_generated_password_is_shown_once_and_works(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    response = create(client, token, "lisi", password="")
    secret = re.search(r'id="secret">([^<]+)<', response.text)
    assert secret is not None and len(secret.group(1)) == 12
    other = TestClient(client.app, follow_redirects=False)
    csrf = csrf_of(other)
    login_response = other.post(
        "/login", data={"username": "lisi", "password": secret.group(1), "csrf_token": csrf}
    )
    assert login_response.status_code == 303


def test_memberships_must_exist_in_the_definition(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    cases = [
        ({"center": "不存在镇"}, "中心“不存在镇”不存在"),
        ({"role": "法官"}, "角色“法官”不存在"),
        ({"office": "司法局"}, "单位“司法局”未入驻“城关镇”"),
        ({"username": "a b"}, "用户名须为"),
        ({"password": "short"}, "密码至少 8 位"),
    ]
    for fields, message in cases:
        response = create(client, token, fields.pop("username", "wangwu"), **fields)
        assert response.status_code == 400, fields
        assert message in response.text, fields
    with qingshan.connect() as conn:
        assert conn.execute(select(func.count()).select_from(USERS)).scalar() == 1  # the admin


def test_duplicate_username_is_refused(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    create(client, token, "zhangsan")
    response = create(client, token, "zhangsan")
    assert response.status_code == 400 and "已被使用" in response.text


def test_change_memberships_reset_password_deactivate(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    create(client, token, "zhangsan")
    uid = user_id(qingshan, "zhangsan")
    url = f"/console/accounts/{uid}"
    client.post(
        url,
        data={
            "do": "memberships",
            "remove": "0",
            "new_center": "青山县中心",
            "new_office": "司法局",
            "new_role": "承办人",
            "csrf_token": token,
        },
    )
    found = people.account(qingshan, "qingshan", uid)
    assert found is not None
    assert found.memberships == (MembershipSpec("青山县中心", "承办人", "司法局", None),)
    reset = client.post(url, data={"do": "password", "password": "", "csrf_token": token})
    secret = re.search(r'id="secret">([^<]+)<', reset.text)
    assert secret is not None
    client.post(url, data={"do": "deactivate", "csrf_token": token})
    with qingshan.connect() as conn:
        active = conn.execute(select(USERS.c.active).where(USERS.c.id == uid)).scalar_one()
    assert active is False
    actions = [e.action for e in store.audit_trail(qingshan, "qingshan")]
    assert actions == ["停用账号", "重置密码", "调整岗位", "创建账号"]


def test_an_administrator_cannot_deactivate_themselves(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    uid = user_id(qingshan, "qs_admin")
    response = client.post(
        f"/console/accounts/{uid}", data={"do": "deactivate", "csrf_token": token}
    )
    assert response.status_code == 400 and "不能停用自己的账号" in response.text


# --- scope ---------------------------------------------------------------------------------


def test_another_countys_accounts_are_invisible(
    client: TestClient, qingshan: Engine, beishan: Engine
) -> None:
    people.create(
        beishan,
        "beishan",
        "bs_admin",
        username="bs_staff",
        display_name="北山人员",
        password=PASSWORD,
        memberships=[MembershipSpec("城关镇", "承办人", "司法所")],
    )
    token = login(client, "qs_admin")
    listing = client.get("/console/accounts").text
    assert "bs_staff" not in listing and "bs_admin" not in listing
    other = user_id(beishan, "bs_staff")
    assert client.get(f"/console/accounts/{other}").status_code == 404
    for do in ("password", "deactivate", "memberships"):
        response = client.post(
            f"/console/accounts/{other}", data={"do": do, "password": "x" * 12, "csrf_token": token}
        )
        assert response.status_code == 404, do
    assert load_user(beishan, other, 0) is not None  # untouched
    assert store.audit_trail(beishan, "beishan") != []
    assert all(
        e.target != "bs_staff" or e.actor == "bs_admin"
        for e in store.audit_trail(beishan, "beishan")
    )


def test_drafts_and_audit_are_per_county(
    client: TestClient, qingshan: Engine, beishan: Engine
) -> None:
    store.save_draft(beishan, "beishan", "county.yd", "北山草稿", "bs_admin")
    login(client, "qs_admin")
    assert "北山草稿" not in client.get("/console/files/edit?path=county.yd").text
    assert "北山草稿" not in client.get("/console/audit").text
    assert "北山草稿" not in client.get("/console/versions").text
    assert store.drafts(qingshan, "qingshan") == {}


def test_audit_page_lists_changes_with_before_and_after(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    create(client, token, "zhangsan")
    uid = user_id(qingshan, "zhangsan")
    client.post(f"/console/accounts/{uid}", data={"do": "deactivate", "csrf_token": token})
    html = client.get("/console/audit").text
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", html)
    assert rows == [("qs_admin", "停用账号", "zhangsan"), ("qs_admin", "创建账号", "zhangsan")]
    assert "&#34;active&#34;: false" in html and "&#34;active&#34;: true" in html
