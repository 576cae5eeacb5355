"""Views generated from the compiled definition: organisation tree, routing table with gaps,
deadline table, the year's calendar; drafts shown before they are published."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.console import overview
from admin.console.checking import check
from tests.console.conftest import login
from tests.console.county import files


def compiled(texts: dict[str, str]) -> object:
    result = check("qingshan", texts)
    assert result.ok, [p.listing for p in result.errors]
    return result.county


def test_organisation_tree_nests_centers_with_offices_and_windows() -> None:
    tree = overview.org_tree(compiled(files()))  # type: ignore[arg-type]
    assert [n.name for n in tree] == ["青山县矛盾纠纷调处化解中心"]
    towns = {n.key: n for n in tree[0].children}
    assert set(towns) == {"城关镇", "河口镇"}
    assert towns["河口镇"].tags == ["海岛"]
    county_offices = {o.name: o.stationing for o in tree[0].offices}
    assert county_offices == {"综治中心": "常驻", "司法局": "轮驻（周二、周四）"}
    assert {o.name for o in towns["城关镇"].offices} == {"综治中心", "司法所"}
    assert towns["城关镇"].windows == ["无差别综合受理窗口（无差别综合受理）"]


def test_routing_table_highlights_gaps() -> None:
    texts = files()
    texts["county.yd"] = (
        texts["county.yd"]
        .replace("分派 等级 一般 -> 镇 司法所\n", "")
        .replace("兜底 窗口 综合窗口 单位 综治中心\n", "")
    )
    table = overview.routing_table(compiled(texts))  # type: ignore[arg-type]
    assert table.severities == ["一般", "较大"]
    cells = {key: [c.kind for c in row] for key, _, row in table.rows}
    assert cells == {"邻里纠纷": ["gap", "route"], "婚姻家庭": ["gap", "route"]}
    assert table.gaps == 2


def test_routing_table_page_shows_routes_and_fallback(client: TestClient, qingshan: Engine) -> None:
    login(client, "qs_admin")
    html = client.get("/console/views/routing").text
    assert "每个组合都有去处" in html
    assert html.count('<td class="route">乡镇级 · 司法所') == 2
    assert html.count('<td class="route">县级 · 司法局') == 2


def test_deadline_table_by_severity_and_level() -> None:
    levels, tables = overview.deadline_tables(compiled(files()))  # type: ignore[arg-type]
    assert levels == ["县级", "乡镇级", "村级"]
    whole = next(t for t in tables if t.step == "")
    assert whole.rows == [("一般", ["3 天"] * 3), ("较大", ["20 天"] * 3)]
    dispatch = next(t for t in tables if t.step == "派单")
    assert dispatch.rows[0][1] == ["当日下班前"] * 3


def test_calendar_marks_holidays_make_up_days_and_local_days(
    client: TestClient, qingshan: Engine
) -> None:
    login(client, "qs_admin")
    html = client.get("/console/views/calendar?year=2026").text
    by_date = {
        day: kind for kind, day in re.findall(r'class="day-([\w-]+)" data-date="([\d-]+)"', html)
    }
    assert by_date["2026-10-01"] == "holiday"
    assert by_date["2026-10-10"] == "makeup"  # Saturday worked after National Day
    assert by_date["2026-04-09"] == "local-holiday"  # declared in the county's calendar
    assert by_date["2026-11-18"] == "workday"
    assert by_date["2026-11-21"] == "weekend"
    assert len(by_date) == 365


def test_views_show_the_draft_once_it_compiles(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    text = files()["county.yd"].replace(
        "中心 河口镇 层级 镇 上级 青山县中心 标签 海岛",
        "中心 河口镇 层级 镇 上级 青山县中心 标签 海岛\n中心 桥头村 层级 村 上级 城关镇",
    )
    client.post(
        "/console/files/save", data={"path": "county.yd", "text": text, "csrf_token": token}
    )
    html = client.get("/console/views/org").text
    assert "桥头村" in html and "工作副本" in html
    broken = text.replace("层级 村 上级 城关镇", "层级 乡 上级 城关镇")
    client.post(
        "/console/files/save", data={"path": "county.yd", "text": broken, "csrf_token": token}
    )
    html = client.get("/console/views/org").text
    assert "桥头村" not in html and "工作副本有错误" in html


def test_routes_for_tagged_places_are_listed_beside_the_general_route() -> None:
    texts = files()
    texts["county.yd"] = texts["county.yd"].replace(
        "分派 等级 较大 -> 县 司法局",
        "分派 等级 一般 标签 海岛 -> 县 司法局 响应 30 分钟 线上调解\n分派 等级 较大 -> 县 司法局",
    )
    # a response time needs someone to supervise it when nobody responds (yidi check)
    texts["county.yd"] = texts["county.yd"].replace(
        "    等级 一般 3 天, 较大 20 天\n",
        "    等级 一般 3 天, 较大 20 天\n    超时 督办 负责人 @ 县\n",
    )
    table = overview.routing_table(compiled(texts))  # type: ignore[arg-type]
    general = dict((key, cells) for key, _, cells in table.rows)["邻里纠纷"][0]
    assert general.text == "乡镇级 · 司法所"
    assert general.special == ("海岛：县级 · 司法局（线上调解 30 分钟）",)


def test_process_page_lists_each_outcome_with_its_meaning(
    client: TestClient, qingshan: Engine
) -> None:
    token = login(client, "qs_admin")
    declared = "结果 化解成功 类别 调解成功\n"
    undeclared = files()["county.yd"].replace(declared, "")
    client.post(
        "/console/files/save",
        data={"path": "county.yd", "text": undeclared, "csrf_token": token},
    )
    html = client.get("/console/views/processes").text
    row = re.search(r'id="outcome-meanings".*?</section>', html, re.S)
    assert row and "化解成功" in row.group(0) and "未声明" in row.group(0)
    text = undeclared + "\n" + declared
    client.post(
        "/console/files/save", data={"path": "county.yd", "text": text, "csrf_token": token}
    )
    html = client.get("/console/views/processes").text
    row = re.search(r'id="outcome-meanings".*?</section>', html, re.S)
    assert row and "<td>化解成功</td><td>调解成功</td>" in row.group(0)
    assert "未声明" not in row.group(0)
