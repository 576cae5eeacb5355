"""Definition files in the console: inline checking at the right line with `yidi check`'s own
message, drafts kept apart from the published version, audited saves, refused file names."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

import dsl
from admin.console import store
from tests.console.conftest import draft_text, login
from tests.console.county import files, line_of

MISTAKE = ("表单 办理情况\n", "表单 办理情况表\n")


def gutter_errors(html: str) -> dict[int, str]:
    """Line number -> message shown in the editor's message column."""
    notes = re.findall(r'<div class="note (error|warning)" data-line="(\d+)">([^<]*)</div>', html)
    return {int(line): text for _, line, text in notes}


def expected_message(texts: dict[str, str], path: str) -> list[tuple[int, str]]:
    result = dsl.compile_files("qingshan", texts)
    return [(d.line, d.text("zh")) for d in result.diagnostics if d.path == path]


def test_typing_a_mistake_shows_the_check_message_at_its_line(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    broken = files()["county.yd"].replace(*MISTAKE)
    response = client.post(
        "/console/files/check",
        data={"path": "county.yd", "text": broken},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    wanted = expected_message({**files(), "county.yd": broken}, "county.yd")
    assert wanted and wanted[0][0] == line_of(broken, "办理情况表")
    shown = gutter_errors(response.text)
    assert shown == {line: message for line, message in wanted}
    assert f'class="ln error" data-line="{wanted[0][0]}"' in response.text
    assert "您是不是要写「办理情况」" in response.text
    # Checking while typing saves nothing.
    assert draft_text(qingshan, "qingshan", "county.yd") is None


def test_fixed_text_checks_clean(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    response = client.post(
        "/console/files/check",
        data={"path": "county.yd", "text": files()["county.yd"]},
        headers={"X-CSRF-Token": token},
    )
    assert "检查通过" in response.text
    assert gutter_errors(response.text) == {}


def test_form_schema_problems_show_at_their_line(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    path = "forms/受理登记.json"
    broken = files()[path].replace('"cn-mobile"', '"cn-phone"')
    response = client.post(
        "/console/files/check", data={"path": path, "text": broken}, headers={"X-CSRF-Token": token}
    )
    shown = gutter_errors(response.text)
    assert list(shown) == [line_of(broken, "cn-phone")]
    assert "未知的格式「cn-phone」" in shown[line_of(broken, "cn-phone")]


def test_problem_past_the_last_line_is_shown_on_the_last_line(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    cut = files()["county.yd"].rstrip().removesuffix("}")  # the closing brace is missing
    response = client.post(
        "/console/files/check",
        data={"path": "county.yd", "text": cut},
        headers={"X-CSRF-Token": token},
    )
    last = cut.count("\n") + 1
    assert max(gutter_errors(response.text)) <= last
    assert "右花括号" in response.text


def test_saving_a_draft_leaves_the_published_version_alone(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    changed = files()["county.yd"].replace("较大 20 天", "较大 15 天")
    response = client.post(
        "/console/files/save", data={"path": "county.yd", "text": changed, "csrf_token": token}
    )
    assert response.status_code == 303
    assert draft_text(qingshan, "qingshan", "county.yd") == changed
    current = store.published(qingshan, "qingshan")
    assert current is not None and current.number == 1
    assert current.files["county.yd"] == files()["county.yd"]
    assert store.working_files(qingshan, "qingshan")["county.yd"] == changed
    page = client.get("/console/files/edit?path=county.yd")
    assert "较大 15 天" in page.text and "草稿已保存" not in page.text
    trail = store.audit_trail(qingshan, "qingshan")
    assert [(e.action, e.target, e.actor) for e in trail] == [("保存草稿", "county.yd", "qs_admin")]
    assert trail[0].before is None and trail[0].after == {"text": changed}


def test_windows_line_endings_are_stored_as_lf(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    client.post(
        "/console/files/save",
        data={"path": "notes.md", "text": "第一行\r\n第二行\r\n", "csrf_token": token},
    )
    assert draft_text(qingshan, "qingshan", "notes.md") == "第一行\n第二行\n"


def test_discarding_a_draft_returns_to_the_published_text(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    client.post("/console/files/save", data={"path": "county.yd", "text": "x", "csrf_token": token})
    client.post("/console/files/discard", data={"path": "county.yd", "csrf_token": token})
    assert draft_text(qingshan, "qingshan", "county.yd") is None
    assert [e.action for e in store.audit_trail(qingshan, "qingshan")] == ["放弃草稿", "保存草稿"]


def test_file_names_that_could_escape_are_refused(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    for bad in ("../secret.yd", "/etc/passwd", "a/b/c.yd", "county.py", ""):
        response = client.post(
            "/console/files/save", data={"path": bad, "text": "x", "csrf_token": token}
        )
        assert response.status_code == 400, bad
        assert "不可用" in response.text
    assert store.drafts(qingshan, "qingshan") == {}


def test_file_list_marks_drafts_and_problems(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    broken = files()["county.yd"].replace(*MISTAKE)
    client.post(
        "/console/files/save", data={"path": "county.yd", "text": broken, "csrf_token": token}
    )
    page = client.get("/console/files").text
    assert "草稿（qs_admin" in page
    assert "检查结果：1 处错误" in page


def test_staff_cannot_open_the_console(client: TestClient, qingshan: Engine) -> None:
    from admin.accounts import MembershipSpec, create_user
    from tests.console.conftest import PASSWORD

    create_user(
        qingshan,
        "clerk",
        PASSWORD,
        display_name="窗口",
        county="qingshan",
        memberships=[MembershipSpec("城关镇", "窗口人员")],
    )
    login(client, "clerk", page="")
    assert client.get("/console/files").status_code == 403
    assert client.get("/console/accounts").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client: TestClient, qingshan: Engine) -> None:
    response = client.get("/console/files")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
