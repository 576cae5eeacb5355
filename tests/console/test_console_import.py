"""Importing towns, villages and staff from CSV or XLSX: a preview with a row-by-row error
report, nothing saved before the confirmation, the good rows saved in one go."""

from __future__ import annotations

import io
import json
import re

from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from admin.accounts import USERS
from admin.console import store
from admin.console.checking import check
from tests.console.conftest import login

VILLAGES = (
    "名称,层级,上级,标签\n"
    "东门村,村,城关镇,\n"
    "西门村,村,城关镇,城区\n"
    "北村,乡,城关镇,\n"
    "南岛村,村,河口镇,海岛\n"
)


def preview(client: TestClient, token: str, kind: str, name: str, data: bytes) -> str:
    response = client.post(
        "/console/import/preview",
        data={"kind": kind, "csrf_token": token},
        files={"file": (name, data)},
    )
    assert response.status_code in (200, 400)
    return response.text


def payload(html: str) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', html)
    assert found
    import html as escaping

    return escaping.unescape(found.group(1))


def bad_rows(html: str) -> dict[int, str]:
    rows = re.findall(
        r'<tr class="bad" data-row="(\d+)">.*?<td class="row-error">([^<]+)</td>', html, re.S
    )
    return {int(n): text for n, text in rows}


def test_village_list_preview_reports_the_bad_row_and_saves_nothing(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    html = preview(client, token, "centers", "村名单.csv", VILLAGES.encode("utf-8"))
    assert bad_rows(html) == {4: "层级“乡”不存在（可用：县、镇、村）"}
    assert 'id="good-count">3<' in html and 'id="bad-count" class="overdue">1<' in html
    assert store.drafts(qingshan, "qingshan") == {}


def test_confirming_saves_the_good_rows_into_the_draft_list(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    html = preview(client, token, "centers", "村名单.csv", VILLAGES.encode("utf-8"))
    done = client.post(
        "/console/import/apply",
        data={"kind": "centers", "payload": payload(html), "csrf_token": token},
    )
    assert "已导入 3 行，跳过 1 行有误的" in done.text
    texts = store.working_files(qingshan, "qingshan")
    assert texts["centers.csv"].splitlines() == [
        "名称,层级,上级,标签",
        "东门村,村,城关镇,",
        "西门村,村,城关镇,城区",
        "南岛村,村,河口镇,海岛",
    ]
    assert '中心名单 "centers.csv"' in texts["county.yd"]
    result = check("qingshan", texts)
    assert result.ok
    assert result.county.centers["南岛村"].parent == "河口镇"
    assert "海岛" in result.county.centers["南岛村"].tags
    assert [e.action for e in store.audit_trail(qingshan, "qingshan")] == ["导入中心名单"] * 2


def test_the_confirmation_rechecks_rows_sent_back_by_the_browser(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    forged = json.dumps([{"n": 2, "v": {"名称": "假村", "层级": "村", "上级": "不存在镇"}}])
    done = client.post(
        "/console/import/apply", data={"kind": "centers", "payload": forged, "csrf_token": token}
    )
    assert done.status_code == 400 and "没有可以导入的行" in done.text
    assert store.drafts(qingshan, "qingshan") == {}


def test_xlsx_and_gbk_csv_are_read(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("名称", "层级", "上级", "标签"),
        ("东门村", "村", "城关镇", None),
        ("东门村", "村", "城关镇", None),
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    html = preview(client, token, "centers", "村名单.xlsx", buffer.getvalue())
    assert bad_rows(html) == {3: "“东门村”已经存在（名称不能重复）"}
    gbk = preview(client, token, "centers", "村名单.csv", VILLAGES.encode("gbk"))
    assert "东门村" in gbk and len(bad_rows(gbk)) == 1


def test_unreadable_files_get_a_clear_message(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    assert "只能导入 .csv 或 .xlsx" in preview(client, token, "centers", "a.txt", b"x")
    assert "缺少列：上级" in preview(
        client, token, "centers", "a.csv", "名称,层级\n甲,村\n".encode()
    )
    assert "无法读取该 Excel" in preview(client, token, "centers", "a.xlsx", b"not a zip")


STAFF = (
    "用户名,姓名,中心,单位,窗口,角色\n"
    "cg_med,李调解,城关镇,司法所,,承办人\n"
    "cg_win,王窗口,城关镇,综治中心,综合窗口,窗口人员\n"
    "bad one,赵错,城关镇,司法局,,承办人\n"
)


def test_staff_import_reports_each_problem_and_creates_the_good_accounts(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    html = preview(client, token, "staff", "人员.csv", STAFF.encode())
    assert bad_rows(html) == {
        4: "用户名须为 2–40 个字母、数字、下划线、点或连字符；单位“司法局”未入驻“城关镇”"
    }
    done = client.post(
        "/console/import/apply",
        data={"kind": "staff", "payload": payload(html), "csrf_token": token},
    )
    assert "已导入 2 行" in done.text
    assert len(re.findall(r'class="secret"', done.text)) == 2
    with qingshan.connect() as conn:
        names = set(conn.execute(select(USERS.c.username)).scalars())
    assert names == {"qs_admin", "cg_med", "cg_win"}
    # A second confirmation of the same preview creates nobody twice.
    again = client.post(
        "/console/import/apply",
        data={"kind": "staff", "payload": payload(html), "csrf_token": token},
    )
    assert again.status_code == 400
    with qingshan.connect() as conn:
        assert conn.execute(select(func.count()).select_from(USERS)).scalar() == 3
