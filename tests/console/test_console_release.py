"""Publishing asks for confirmation (issue 18): the versions page takes a required 发布说明,
the confirmation page shows what changes and publishes nothing yet; the note is stored with the
version and listed with the versions."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.console import store
from tests.console.conftest import login
from tests.console.county import files
from tests.console.test_console_versions import CHANGE, publish, save


def current_number(db: Engine) -> int:
    current = store.published(db, "qingshan")
    assert current is not None
    return current.number


def test_the_confirmation_shows_the_change_summary_and_publishes_nothing(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    page = client.post(
        "/console/versions/confirm", data={"note": "较大事项时限改为 15 天", "csrf_token": token}
    )
    assert page.status_code == 200
    assert "确认发布第 2 版" in page.text
    rows = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td></tr>", page.text
    )
    assert rows == [("county.yd", "修改", "1", "1")]
    assert '<p id="confirm-note">较大事项时限改为 15 天</p>' in page.text
    assert current_number(qingshan) == 1  # confirming is not publishing


def test_a_release_note_is_required(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    for url in ("/console/versions/confirm", "/console/versions/publish"):
        response = client.post(url, data={"note": "  ", "csrf_token": token})
        assert response.status_code == 400
        assert "请填写发布说明" in response.text
    assert current_number(qingshan) == 1


def test_a_working_copy_changed_after_confirming_is_not_published(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    page = client.post("/console/versions/confirm", data={"note": "改时限", "csrf_token": token})
    [digest] = re.findall(r'name="digest" value="([0-9a-f]{64})"', page.text)
    save(client, token, "county.yd", files()["county.yd"].replace("较大 20 天", "较大 10 天"))
    data = {"note": "改时限", "digest": digest, "csrf_token": token}
    response = client.post("/console/versions/publish", data=data)
    assert response.status_code == 409 and "确认之后工作副本又有改动" in response.text
    assert current_number(qingshan) == 1


def test_the_note_is_stored_and_listed_with_the_versions(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    save(client, token, "county.yd", files()["county.yd"].replace(*CHANGE))
    assert publish(client, token, "较大事项时限改为 15 天（县委办通知）").status_code == 200
    page = client.get("/console/versions").text
    notes = re.findall(
        r'<tr data-version="(\d+)">.*?<td class="release-note">(.*?)</td>', page, re.S
    )
    assert notes == [("2", "较大事项时限改为 15 天（县委办通知）"), ("1", "—")]
    assert (
        store.audit_trail(qingshan, "qingshan")[0].after["note"]
        == "较大事项时限改为 15 天（县委办通知）"
    )
