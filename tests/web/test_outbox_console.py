"""The console's 回告推送 page (issue 20, point 3, leftovers): an administrator's retry is in
操作记录, and callback URLs are registered and changed from the console (not only with
`yidi apikey callback`), CSRF-protected, validated in Chinese, each change audited; replies
then reach a real receiving server signed with the secret the page showed once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from admin.accounts import KEYS, create_api_key
from admin.console.store import AUDIT
from engine import outbox
from engine.db import utcnow
from tests.web.conftest import csrf_of
from tests.web.flow import cast
from tests.web.test_outbox import drain, hotline, push, receiver, rows, verify  # noqa: F401
from tests.web.test_web_flow import act, sign_in


def audit(db: Engine) -> list[tuple[str, str, str]]:
    with db.connect() as conn:
        found = conn.execute(
            select(AUDIT.c.actor, AUDIT.c.action, AUDIT.c.target).order_by(AUDIT.c.id)
        )
        return [tuple(r) for r in found]


def callbacks(db: Engine) -> list[tuple[int, str, str]]:
    with db.connect() as conn:
        found = conn.execute(
            select(
                outbox.CALLBACKS.c.api_key_id, outbox.CALLBACKS.c.url, outbox.CALLBACKS.c.secret
            ).order_by(outbox.CALLBACKS.c.id)
        )
        return [tuple(r) for r in found]


def key_id(db: Engine, token: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(KEYS.c.id).where(KEYS.c.prefix == token[:10])).scalar_one())


def test_an_administrators_retry_is_in_the_audit_trail(client, db, receiver, hotline):  # noqa: F811
    got, _url = receiver
    people = cast(db)
    code = push(client, hotline[0])
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    got.script = [500] * outbox.MAX_ATTEMPTS
    drain(db, utcnow(), rounds=outbox.MAX_ATTEMPTS + 2)
    [row] = rows(db)
    assert row.state == "failed"

    sign_in(client, "xiaoganadmin")
    token = csrf_of(client, "/console/replies")
    done = client.post("/console/replies/retry", data={"id": str(row.id), "csrf_token": token})
    assert done.status_code == 303
    target = f"回告推送第 {row.id} 条（案件 {code}，状态变化）"
    assert audit(db) == [("xiaoganadmin", "重试回告推送", target)]
    page = client.get("/console/audit").text
    assert "重试回告推送" in page and target in page and "接收方返回 HTTP 500" in page
    # a refused retry (not failed any more) records nothing
    again = client.post("/console/replies/retry", data={"id": str(row.id), "csrf_token": token})
    assert again.status_code == 409
    assert len(audit(db)) == 1


def test_an_administrator_registers_and_changes_a_callback_and_replies_follow_it(
    client,
    db,
    receiver,  # noqa: F811
):
    got, url = receiver
    people = cast(db)
    grid_token = create_api_key(db, "网格平台", "xiaogan")
    grid = key_id(db, grid_token)
    sign_in(client, "xiaoganadmin")
    page = client.get("/console/replies").text
    assert f'data-key="{grid}"' in page and "网格平台" in page and ">登记</button>" in page
    token = csrf_of(client, "/console/replies")

    answer = client.post(
        "/console/replies/callback", data={"key": str(grid), "url": url, "csrf_token": token}
    )
    assert answer.status_code == 200
    assert "已为「网格平台」登记回告地址" in answer.text
    shown = re.search(
        r'<div class="notice" id="signing-secret">.*?<pre>([^<]+)</pre>', answer.text, re.S
    )
    assert shown, answer.text[:2000]
    [(key, stored_url, secret)] = callbacks(db)
    assert (key, stored_url, secret) == (grid, url, shown.group(1))
    assert audit(db) == [("xiaoganadmin", "登记回告地址", f"网格平台（密钥 {grid_token[:10]}…）")]
    assert secret not in client.get("/console/replies").text  # shown once only
    assert secret not in client.get("/console/audit").text  # and never recorded

    # a case the grid pushes now is replied to at that URL, signed with that secret
    code = push(client, {"Authorization": f"Bearer {grid_token}"})
    sign_in(client, people["dispatcher"].username)
    act(client, code, "派发给承办单位", {"office": "司法所", "instruction": "请调解"})
    assert outbox.deliver_due(db, utcnow() + timedelta(seconds=1)) == 1
    [(headers, body)] = got.requests
    assert verify(secret, headers, body) and code in body.decode()

    # moving the URL keeps the secret unless asked to change it
    sign_in(client, "xiaoganadmin")
    token = csrf_of(client, "/console/replies")
    moved = url.replace("/yidi/replies", "/yidi/v2")
    answer = client.post(
        "/console/replies/callback", data={"key": str(grid), "url": moved, "csrf_token": token}
    )
    assert answer.status_code == 200 and "已修改「网格平台」的回告地址" in answer.text
    assert 'id="signing-secret"' not in answer.text
    assert callbacks(db) == [(grid, moved, secret)]
    assert audit(db)[-1][1] == "修改回告地址"
    answer = client.post(
        "/console/replies/callback",
        data={"key": str(grid), "url": moved, "rotate": "1", "csrf_token": token},
    )
    assert 'id="signing-secret"' in answer.text
    [(_, _, rotated)] = callbacks(db)
    assert rotated != secret and rotated in answer.text
    page = client.get("/console/audit").text
    assert moved in page and "已更换" in page and rotated not in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "请填写回告地址"),
        ("ftp://hotline.example/yidi", "回告地址应以 http:// 或 https:// 开头"),
        ("javascript:alert(1)", "回告地址应以 http:// 或 https:// 开头"),
        ("https://", "回告地址缺少主机名"),
        ("https://hot line.example/", "回告地址不能含空格或控制字符"),
        ("https://热线.example/", "回告地址只能含英文字母、数字和网址符号"),
        ("https://user:pw@hotline.example/", "回告地址不能含用户名或密码"),
        ("https://hotline.example:99999/", "回告地址不是有效的网址"),
        ("https://hotline.example/" + "a" * 500, "回告地址不能超过 500 个字符"),
    ],
)
def test_a_bad_callback_url_is_refused_in_chinese_and_writes_nothing(
    client,
    db,
    hotline,  # noqa: F811
    url,
    message,
):
    cast(db)
    key = callbacks(db)[0][0]
    before = callbacks(db)
    sign_in(client, "xiaoganadmin")
    token = csrf_of(client, "/console/replies")
    answer = client.post(
        "/console/replies/callback", data={"key": str(key), "url": url, "csrf_token": token}
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert f'id="callback-error-{key}"' in answer.text
    assert callbacks(db) == before and audit(db) == []


def test_callbacks_are_the_countys_own_and_need_the_csrf_token(client, db, hotline):  # noqa: F811
    cast(db)
    key = callbacks(db)[0][0]
    before = callbacks(db)
    other = key_id(db, create_api_key(db, "外县热线", "yunmeng"))
    sign_in(client, "xiaoganadmin")
    page = client.get("/console/replies").text
    assert f'data-key="{other}"' not in page and "外县热线" not in page
    token = csrf_of(client, "/console/replies")
    answer = client.post(
        "/console/replies/callback",
        data={"key": str(other), "url": "https://evil.example/", "csrf_token": token},
    )
    assert answer.status_code == 404
    for bad in ("abc", "0", str(2**40)):
        answer = client.post(
            "/console/replies/callback",
            data={"key": bad, "url": "https://evil.example/", "csrf_token": token},
        )
        assert answer.status_code == 404
    answer = client.post(
        "/console/replies/callback", data={"key": str(key), "url": "https://evil.example/"}
    )
    assert answer.status_code == 403
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AUDIT)).scalar_one() == 0
    assert callbacks(db) == before
