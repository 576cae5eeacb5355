"""Versions: the diff and check result before publishing, who published and when, running
cases keep their version, and the engine's case migration started from the console."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from admin.console import store
from engine.cases import Engine as Workflow
from engine.tables import Case
from tests.console.conftest import login
from tests.console.county import files

CHANGE = ("较大 20 天", "较大 15 天")


def receive_case(db: Engine) -> str:
    """A case received on whatever version is current (a walk-in neighbour dispute)."""
    view = Workflow(db).receive(
        "console-test",
        "qingshan",
        channel="来访",
        category="邻里纠纷",
        severity="一般",
        location="城关镇",
        parties=[{"name": "王五", "phone": "13800138000"}],
        data={"事由": "邻居装修噪音", "联系电话": "13800138000"},
    )
    return str(view.code)


def version_of(db: Engine, code: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(Case.version_id).where(Case.code == code)).scalar_one())


def save(client: TestClient, token: str, path: str, text: str) -> None:
    response = client.post(
        "/console/files/save", data={"path": path, "text": text, "csrf_token": token}
    )
    assert response.status_code == 303


def publish(client: TestClient, token: str, note: str = "较大事项时限改为 15 天") -> Any:
    """Both steps of publishing, as the administrator clicks them: the confirmation page (its
    digest names the working copy it showed), then the publish button on it."""
    confirm = client.post("/console/versions/confirm", data={"note": note, "csrf_token": token})
    assert confirm.status_code == 200, confirm.text[-2000:]
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', confirm.text)
    assert digest is not None
    return client.post(
        "/console/versions/publish",
        data={"note": note, "digest": digest[1], "csrf_token": token},
    )


def test_versions_page_shows_diff_and_check_result(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    html = client.get("/console/versions").text
    assert '<span class="del">-    等级 一般 3 天, 较大 20 天</span>' in html
    assert '<span class="add">+    等级 一般 3 天, 较大 15 天</span>' in html
    assert "检查结果：0 处错误" in html
    assert 'id="publish"' in html


def test_publishing_records_who_and_when_and_keeps_running_cases(
    client: TestClient, qingshan: Engine
) -> None:
    code = receive_case(qingshan)
    first = version_of(qingshan, code)
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    response = publish(client, token)
    assert response.status_code == 200
    assert "已发布第 2 版" in response.text
    current = store.published(qingshan, "qingshan")
    assert current is not None and current.number == 2 and current.published_by == "qs_admin"
    assert "较大 15 天" in current.files["county.yd"]
    assert store.drafts(qingshan, "qingshan") == {}
    assert version_of(qingshan, code) == first  # the running case keeps its version
    assert version_of(qingshan, receive_case(qingshan)) != first  # new cases take the new one
    page = client.get("/console/versions").text
    rows = re.findall(r'<tr data-version="(\d+)">.*?<td class="running">(\d+)</td>', page, re.S)
    assert rows == [("2", "1"), ("1", "1")]
    trail = store.audit_trail(qingshan, "qingshan")
    assert (trail[0].action, trail[0].target, trail[0].before, trail[0].after["version"]) == (
        "发布版本",
        "第 2 版",
        {"version": 1},
        2,
    )


def test_publishing_with_errors_is_refused_and_changes_nothing(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace("开始 派单", "开始 派件"))
    data = {"note": "改开始步骤", "csrf_token": token}
    response = client.post("/console/versions/confirm", data=data)
    assert response.status_code == 400
    assert "定义有错误，不能发布" in response.text
    response = client.post("/console/versions/publish", data=data)
    assert response.status_code == 400
    assert "定义有错误，不能发布" in response.text
    assert "未定义的步骤「派件」" in response.text
    current = store.published(qingshan, "qingshan")
    assert current is not None and current.number == 1
    assert store.drafts(qingshan, "qingshan") != {}


def test_publishing_without_changes_is_refused(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    data = {"note": "没有改动", "csrf_token": token}
    response = client.post("/console/versions/confirm", data=data)
    assert response.status_code == 400 and "无需发布" in response.text
    response = client.post("/console/versions/publish", data=data)
    assert response.status_code == 400 and "无需发布" in response.text


def test_migration_dry_run_then_move(client: TestClient, qingshan: Engine) -> None:
    code = receive_case(qingshan)
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    publish(client, token)
    versions = {row.number: row.id for row in _history(qingshan)}
    dry = client.get(f"/console/versions/migrate?to={versions[2]}")
    assert dry.status_code == 200
    assert "预演" in dry.text and code in dry.text and "可以迁移" in dry.text
    assert version_of(qingshan, code) == versions[1]  # a dry run moves nothing
    moved = client.post("/console/versions/migrate", data={"to": versions[2], "csrf_token": token})
    assert "已迁移 1 件" in moved.text
    assert version_of(qingshan, code) == versions[2]
    assert store.audit_trail(qingshan, "qingshan")[0].after["moved"] == [code]


def test_migration_to_another_countys_version_is_not_found(
    client: TestClient, qingshan: Engine, beishan: Engine
) -> None:
    login(client, "qs_admin")
    other = _history(beishan, "beishan")[0]
    response = client.get(f"/console/versions/migrate?to={other.id}")
    assert response.status_code == 404


def _history(db: Engine, county: str = "qingshan") -> list:  # type: ignore[type-arg]
    versions, counties = store.VERSIONS, store.COUNTIES
    with db.connect() as conn:
        return list(
            conn.execute(
                select(versions.c.id, versions.c.number)
                .join(counties, counties.c.id == versions.c.county_id)
                .where(counties.c.code == county)
            )
        )


def test_a_publish_whose_audit_record_fails_leaves_no_version(
    client: TestClient, qingshan: Engine, monkeypatch
) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))

    def broken_record(*args, **kwargs):
        raise RuntimeError("audit store down")

    confirm = client.post("/console/versions/confirm", data={"note": "改时限", "csrf_token": token})
    [digest] = re.findall(r'name="digest" value="([0-9a-f]{64})"', confirm.text)
    monkeypatch.setattr(store, "record", broken_record)
    data = {"note": "改时限", "digest": digest, "csrf_token": token}
    response = client.post("/console/versions/publish", data=data)
    assert response.status_code == 500
    current = store.published(qingshan, "qingshan")
    assert current is not None and current.number == 1  # the version rolled back with it
    assert store.drafts(qingshan, "qingshan") != {}  # and the draft is still there
