"""`yidi check` and `yidi graph` as an administrator runs them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dsl_samples import BASE, FORM, replace_line

import admin.calendar_cli
from engine.clock import ManualClock
from server import main

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _june(monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` also warns about the national holiday table from November on (tests in
    tests/engine/test_national_calendar.py); these tests are about the folder: a June day."""
    monkeypatch.setattr(admin.calendar_cli, "clock", ManualClock(datetime(2026, 6, 1, tzinfo=UTC)))


def write_county(folder: Path, text: str = BASE) -> Path:
    (folder / "forms").mkdir(parents=True)
    (folder / "county.yd").write_text(text, encoding="utf-8")
    (folder / "forms" / "受理.json").write_text(json.dumps(FORM), encoding="utf-8")
    return folder


def test_check_passes_a_good_county(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_county(tmp_path / "good")
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out == f"{folder}：0 个错误，0 个警告\n"


def test_check_prints_every_error_with_caret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = replace_line(22, "分派 等级 一般 -> 镇 司法局")
    text = replace_line(26, "    办理人 调度 @ 中心", text)
    folder = write_county(tmp_path / "bad", text)
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{folder}/county.yd:22:15: 未定义的单位「司法局」（您是不是要写「司法所」？）",
        "分派 等级 一般 -> 镇 司法局",
        " " * 21 + "^",
        f"{folder}/county.yd:26:9: 未定义的角色「调度」（您是不是要写「调度员」？）",
        "    办理人 调度 @ 中心",
        " " * 11 + "^",
        f"{folder}：2 个错误，0 个警告",
    ]


def test_check_in_english_and_warnings_do_not_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_county(tmp_path / "gaps", replace_line(23, ""))
    assert main(["check", str(folder), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"{folder}/county.yd:20:8: warning: severity '较大' has no route" in out
    assert out.endswith(f"{folder}: 0 error(s), 1 warning(s)\n")


def test_check_of_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 1
    assert "找不到定义目录" in capsys.readouterr().out


def test_graph_writes_a_layered_svg(tmp_path: Path) -> None:
    folder = write_county(tmp_path / "g")
    out = tmp_path / "简易.svg"
    assert main(["graph", str(folder), "简易", "-o", str(out)]) == 0
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"派单", "办理", "派发", "退回"} <= set(texts)
    boxes = {
        t.text: float(t.attrib["y"]) for t in root.iter(f"{SVG}text") if t.text in ("派单", "办理")
    }
    assert boxes["派单"] < boxes["办理"]  # top-down: the start step is above
    paths = [p.attrib["d"] for p in root.iter(f"{SVG}path") if "marker-end" in p.attrib]
    assert len(paths) == 2  # the return edge goes back up, around the boxes
    assert sum(1 for p in root.iter(f"{SVG}path") if p.attrib.get("class") == "back") == 1


def test_graph_of_an_unknown_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_county(tmp_path / "g")
    assert main(["graph", str(folder), "复杂"]) == 1
    assert "没有名为「复杂」的流程；现有：简易" in capsys.readouterr().err


def test_graph_escapes_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_county(tmp_path / "g", BASE.replace("动作 派发 -> 办理", '动作 "A<&>" -> 办理'))
    assert main(["graph", str(folder), "简易"]) == 0
    svg = capsys.readouterr().out
    assert "A&lt;&amp;&gt;" in svg and "A<&>" not in svg


def test_check_names_files_that_are_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_county(tmp_path / "gbk")
    (folder / "towns.csv").write_bytes("名称,层级,上级\n南村,镇,县中心\n".encode("gbk"))
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{folder}/towns.csv:1:1: 文件不是 UTF-8 编码" in out
