"""The content hash (version identity) and CSV center lists."""

from __future__ import annotations

from dsl_samples import BASE, county_files, problems

import dsl

CSV = "名称,层级,上级,标签\n南村,镇,县中心,农村;渔业\n北镇,镇,县中心,\n"


def county_hash(files: dict[str, str]) -> str:
    county = dsl.compile_files("test", files).county
    assert county is not None
    return county.content_hash


def test_hash_ignores_order_whitespace_and_comments() -> None:
    base = county_hash(county_files())
    assert len(base) == 64
    spaced = BASE.replace("层级 县, 镇", "层级   县 ,镇   # 两级\n").replace("\n", "\n\n")
    assert county_hash(county_files(spaced)) == base
    lines = BASE.splitlines()
    split = {"a.yd": "\n".join(lines[:23]) + "\n", "b.yd": "\n".join(lines[23:]) + "\n"}
    files = county_files("")
    del files["county.yd"]
    files.update(split)
    assert county_hash(dict(reversed(list(files.items())))) == base


def test_any_semantic_change_changes_the_hash() -> None:
    base = county_hash(county_files())
    changes = [
        BASE.replace("    动作 派发 -> 办理", "    动作 派发 -> 办理\n    时限 2 天"),
        BASE.replace("分派 等级 一般 -> 镇 司法所", "分派 等级 较大 -> 镇 司法所"),
        BASE.replace("编码 CS", "编码 CT"),
        BASE.replace("轮驻 周二, 周四", "轮驻 周二"),
    ]
    hashes = {county_hash(county_files(text)) for text in changes}
    assert len(hashes) == len(changes) and base not in hashes


def test_the_files_are_kept_so_old_versions_recompile() -> None:
    county = dsl.compile_files("test", county_files()).county
    assert county is not None
    again = dsl.compile_files("test", county.files).county
    assert again is not None and again.content_hash == county.content_hash


def test_centers_come_from_a_csv_list() -> None:
    text = BASE + '中心名单 "towns.csv"\n'
    county = dsl.compile_files("t", county_files(text, **{"towns_dot_csv": CSV})).county
    assert county is not None
    assert county.centers["南村"].tags == frozenset({"农村", "渔业"})
    assert county.centers["南村"].parent == "县中心"


def test_csv_problems_point_into_the_csv_file() -> None:
    text = BASE + '中心名单 "towns.csv"\n'
    bad = CSV.replace("南村,镇,县中心", "南村,乡,县中心") + "西村,村,北村,\n"
    assert problems(county_files(text, **{"towns_dot_csv": bad})) == [
        ("towns.csv", 2, 4, "error", "未定义的层级「乡」"),
        ("towns.csv", 4, 4, "error", "未定义的层级「村」"),
        ("towns.csv", 4, 6, "error", "未定义的中心「北村」"),
    ]
    headless = county_files(text, **{"towns_dot_csv": "甲,乙\n"})
    assert problems(headless) == [
        ("towns.csv", 1, 1, "error", "中心名单第一行须为表头：名称,层级,上级,标签")
    ]
    missing = county_files(BASE + '中心名单 "town.csv"\n', **{"towns_dot_csv": CSV})
    [(path, line, column, _, message)] = problems(missing)
    assert (path, line, column) == ("county.yd", 35, 6)
    assert message == "未定义的名单文件「town.csv」"


def test_an_unreadable_csv_is_reported() -> None:
    text = BASE + '中心名单 "towns.csv"\n'
    huge = '名称,层级,上级\n"' + "x" * 200_000 + '",镇,县中心\n'
    [(path, line, column, _, message)] = problems(county_files(text, **{"towns_dot_csv": huge}))
    assert (path, line, column) == ("towns.csv", 1, 1)
    assert message.startswith("无法读取中心名单：")
