"""`yidi form render|validate|check` for scripting and testing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server import main

Cap = pytest.CaptureFixture[str]
SCHEMAS = Path(__file__).parent / "schemas"
INTAKE = str(SCHEMAS / "intake.json")
VALID = {
    "channel": "walk_in",
    "category": "邻里纠纷",
    "severity": "一般",
    "town_code": "330102",
    "summary": "邻居装修导致楼下漏水，要求赔偿",
    "parties": [{"name": "张三", "id_number": "11010519491231002X", "phone": "13812341234"}],
}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_validate_valid_exits_0(tmp_path: Path, capsys: Cap) -> None:
    assert main(["form", "validate", INTAKE, write(tmp_path, VALID)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_invalid_exits_1_with_paths(tmp_path: Path, capsys: Cap) -> None:
    bad = {**VALID, "parties": [{"name": "张三", "id_number": "110105194912310021"}]}
    assert main(["form", "validate", INTAKE, write(tmp_path, bad)]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"path": "parties/0/id_number", "message": "身份证号校验位不正确，请核对"},
        {"path": "parties/0/phone", "message": "请填写联系电话"},
    ]


def test_validate_unreadable_data_exits_2(tmp_path: Path, capsys: Cap) -> None:
    (tmp_path / "data.json").write_text("{oops", encoding="utf-8")
    assert main(["form", "validate", INTAKE, str(tmp_path / "data.json")]) == 2
    assert "无法读取数据文件" in capsys.readouterr().err


def test_render_prints_the_form_with_data(tmp_path: Path, capsys: Cap) -> None:
    assert main(["form", "render", INTAKE, "--data", write(tmp_path, VALID)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('<form class="yf"') and 'value="张三"' in out
    assert "受理信息" in out  # the UI hints beside the schema were found


def test_render_display_masks(tmp_path: Path, capsys: Cap) -> None:
    assert main(["form", "render", INTAKE, "--display", "--data", write(tmp_path, VALID)]) == 0
    out = capsys.readouterr().out
    assert "138****1234" in out and "13812341234" not in out


def test_check_reports_and_exits_1(tmp_path: Path, capsys: Cap) -> None:
    schema = tmp_path / "bad.json"
    schema.write_text('{"type": "object", "properties": {"a": {"format": "qq"}}}', encoding="utf-8")
    assert main(["form", "check", str(schema)]) == 1
    assert f"{schema}#/properties/a/format: 未知的格式「qq」" in capsys.readouterr().err
    assert main(["form", "render", str(schema)]) == 2
