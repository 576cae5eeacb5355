"""check_form_files: what `yidi check` reports for a county's form files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import forms
from forms import FormProblem, check_form_files

SCHEMAS = Path(__file__).parent / "schemas"
BASE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "姓名"},
        "parties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"phone": {"type": "string", "format": "cn-mobile"}},
            },
        },
        "file": {"title": "协议", "x-attachment": True},
    },
    "if": {"properties": {"name": {"const": "x"}}, "required": ["name"]},
    "then": {"properties": {"extra": {"type": "string"}}},
}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def problems(tmp_path: Path, schema: Any, ui: Any = None) -> list[FormProblem]:
    schema_path = write(tmp_path, "f.json", schema)
    ui_path = write(tmp_path, "f.ui.json", ui) if ui is not None else None
    return check_form_files(schema_path, ui_path)


def test_demo_forms_are_clean() -> None:
    assert check_form_files(SCHEMAS / "intake.json", SCHEMAS / "intake.ui.json") == []


def test_clean_base(tmp_path: Path) -> None:
    ui = {
        "order": ["name"],
        "fields": {
            "parties/phone": {"help": "h"},
            "extra": {"help": "e"},
            "file": {"max_size": 1000},
        },
    }
    assert problems(tmp_path, BASE, ui) == []


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        ({"properties": {"a": {"type": "strng"}}}, "/properties/a/type", "不是有效的 JSON Schema"),
        (
            {"properties": {"a": {"type": "string", "format": "phone"}}},
            "/properties/a/format",
            "未知的格式「phone」",
        ),
        (
            {"properties": {"a": {"$ref": "#/$defs/missing"}}},
            "/properties/a/$ref",
            "$ref 指向的定义不存在",
        ),
        (
            {"properties": {"a": {"$ref": "other.json#/x"}}},
            "/properties/a/$ref",
            "只支持本文件内的",
        ),
        (
            {"properties": {"a": {"x-attachment": {"max_size": -1}}}},
            "/properties/a/x-attachment/max_size",
            "max_size 应为正整数",
        ),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "/$schema", "2020-12"),
        ({"type": "array"}, "/type", "顶层必须是"),
    ],
)
def test_schema_problems(
    tmp_path: Path, change: dict[str, Any], pointer: str, message: str
) -> None:
    schema = {**BASE, **change}
    found = problems(tmp_path, schema)
    assert any(p.pointer == pointer and message in p.message for p in found), found
    assert all(p.file == str(tmp_path / "f.json") for p in found)


def test_nested_unknown_format_pointer(tmp_path: Path) -> None:
    schema = json.loads(json.dumps(BASE))
    schema["properties"]["parties"]["items"]["properties"]["phone"]["format"] = "mobile"
    (problem,) = problems(tmp_path, schema)
    assert problem.pointer == "/properties/parties/items/properties/phone/format"


@pytest.mark.parametrize(
    ("ui", "pointer", "message"),
    [
        ({"order": ["name", "nme"]}, "/order/1", "表单中没有字段「nme」"),
        ({"sections": [{"title": "甲", "fields": ["ghost"]}]}, "/sections/0/fields/0", "ghost"),
        (
            {"fields": {"parties/mobile": {"help": "x"}}},
            "/fields/parties~1mobile",
            "parties/mobile",
        ),
        ({"fields": {"name": {"placehodler": "x"}}}, "/fields/name", "未知的提示项：placehodler"),
        ({"fields": {"name": {"widget": "slider"}}}, "/fields/name/widget", "未知的控件「slider」"),
        ({"fields": {"name": {"widget": "checkbox"}}}, "/fields/name/widget", "不适用"),
        ({"fields": {"name": {"max_size": 10}}}, "/fields/name", "只能用于附件字段"),
        ({"fields": {"parties": {"order": ["phone", "fax"]}}}, "/fields/parties/order/1", "fax"),
        ({"sections": [{"fields": ["name"]}]}, "/sections/0", "分组须有 title 和 fields"),
    ],
)
def test_ui_hint_problems(tmp_path: Path, ui: dict[str, Any], pointer: str, message: str) -> None:
    found = problems(tmp_path, BASE, ui)
    assert any(p.pointer == pointer and message in p.message for p in found), found
    assert all(p.file == str(tmp_path / "f.ui.json") for p in found)


def test_broken_json_and_missing_files(tmp_path: Path) -> None:
    (bad,) = problems(tmp_path, '{"type": "object",}')
    assert bad.pointer == "" and "JSON 格式错误（第 1 行" in bad.message
    (missing,) = check_form_files(tmp_path / "nope.json", None)
    assert missing.message == "文件不存在"


def test_load_form_refuses_a_broken_definition() -> None:
    with pytest.raises(forms.FormDefinitionError, match="未知的格式"):
        forms.load_form({"type": "object", "properties": {"a": {"format": "qq"}}})


def test_one_compiled_validator_per_version() -> None:
    first = forms.load_form(dict(BASE), name="v")
    assert forms.load_form(json.loads(json.dumps(BASE)), name="v") is first
    changed = forms.load_form({**BASE, "title": "新版本"}, name="v")
    assert changed is not first and changed.key != first.key
    assert forms.form_by_key(changed.key) is changed


def test_recursive_definitions_are_checked_without_endless_walks(tmp_path: Path) -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "left": {"$ref": "#/$defs/node"},
            "right": {"$ref": "#/$defs/node"},
            "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        },
    }
    schema = {
        "type": "object",
        "$defs": {"node": node},
        "properties": {"root": {"$ref": "#/$defs/node"}},
    }
    ui = {
        "fields": {
            "root/left/name": {"help": "x"},
            "root/left/left/name": {"help": "y"},
            "root/nmae": {"help": "typo"},
        }
    }
    found = problems(tmp_path, schema, ui)
    assert [p.pointer for p in found] == ["/fields/root~1nmae"]
    form = forms.load_form(schema)
    data = {"root": {"name": "a", "left": {"name": "b", "kids": [{"name": "c"}]}}}
    assert form.validate(data) == []
    assert 'name="root/left/kids/0/name" type="text" value="c"' in form.render(data)


def test_required_groups_report_their_inner_fields() -> None:
    inner = {
        "type": "object",
        "title": "乙",
        "required": ["c"],
        "properties": {"c": {"type": "string", "title": "丙"}},
    }
    schema = {
        "type": "object",
        "required": ["a"],
        "$defs": {"inner": inner},
        "properties": {
            "a": {
                "type": "object",
                "title": "甲",
                "required": ["b", "r"],
                "properties": {"b": inner, "r": {"$ref": "#/$defs/inner"}},
            }
        },
    }
    form = forms.load_form(schema)
    errors = form.validate(form.parse_submission({}))
    assert errors == [forms.FieldError("a/b/c", "请填写丙"), forms.FieldError("a/r/c", "请填写丙")]
