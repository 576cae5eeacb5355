"""Validation beyond the suite (issue 19): ECMA-262 patterns, draft-07 keywords, references
the message code once crashed on, formats, and messages as `yidi form check` and the form
show them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import forms
from forms.stdformats import DATA_URL_MAX_BYTES
from server import main

Cap = pytest.CaptureFixture[str]


def form_of(field: dict[str, Any], **extra: Any) -> forms.Form:
    schema = {"type": "object", "properties": {"v": field}, **extra}
    return forms.load_form(schema, name="rules")


def check(tmp_path: Path, schema: dict[str, Any], capsys: Cap) -> tuple[int, list[str]]:
    path = tmp_path / "f.json"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    status = main(["form", "check", str(path)])
    return status, capsys.readouterr().err.splitlines()


# --- ECMA-262 patterns ----------------------------------------------------------------------


def test_a_chinese_name_pattern_validates() -> None:
    form = form_of({"type": "string", "title": "姓名", "pattern": "^\\p{Han}{2,4}$"})
    assert form.validate({"v": "张三"}) == []
    assert form.validate({"v": "欧阳娜娜"}) == []
    assert form.validate({"v": "Zhang"}) == [forms.FieldError("v", "「姓名」格式不正确")]
    assert form.validate({"v": "张三丰四五"}) != []


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        ("^\\d+$", "123", "١٢٣"),  # ECMA \d is ASCII only
        ("^a$", "a", "a\n"),  # $ is the end of the text, not before a final newline
        ("^\\p{Script=Han}+$", "调解", "mediation"),
        ("^(?<y>\\d{4})-\\k<y>$", "2024-2024", "2024-2025"),
        ("^[^]$", "\n", ""),
        ("^\\cJ$", "\n", "J"),
    ],
)
def test_patterns_mean_what_ecma_262_says(pattern: str, good: str, bad: str) -> None:
    form = form_of({"type": "string", "pattern": pattern})
    assert form.validate({"v": good}) == []
    assert form.validate({"v": bad}) != []


def test_a_property_named_like_a_data_keyword_keeps_its_pattern() -> None:
    form = form_of(
        {
            "type": "object",
            "properties": {"default": {"type": "string", "pattern": "^\\p{Han}+$"}},
        }
    )
    assert form.validate({"v": {"default": "调解"}}) == []
    assert [e.path for e in form.validate({"v": {"default": "abc"}})] == ["v/default"]


def test_pattern_properties_and_additional_properties_share_the_meaning() -> None:
    form = form_of(
        {
            "type": "object",
            "patternProperties": {"^\\p{Han}+$": {"type": "integer"}},
            "additionalProperties": False,
        }
    )
    assert form.validate({"v": {"人数": 3}}) == []
    assert form.validate({"v": {"人数": "三"}}) != []
    assert form.validate({"v": {"people": 3}}) != []


@pytest.mark.parametrize(
    "pattern",
    [
        "(?P<name>a)",
        "(?i)abc",
        "\\Aabc",
        "a*+",
        "(?>a)",
        "\\p{NoSuchScript}",
        "(ab",
        "ab)",
        "[ab",
        "*a",
        "[z-a]",
        "(?<=a+)b",
    ],
)
def test_a_pattern_invalid_as_ecma_262_is_refused(
    tmp_path: Path, capsys: Cap, pattern: str
) -> None:
    status, lines = check(
        tmp_path, {"type": "object", "properties": {"v": {"pattern": pattern}}}, capsys
    )
    assert status == 1
    assert len(lines) == 1
    assert "#/properties/v/pattern: 正则表达式" in lines[0]
    assert not re.search(
        "[a-z]{4,}", lines[0].split("无效：")[1].replace("NoSuchScript", "").replace("Unicode", "")
    )
    with pytest.raises(forms.FormDefinitionError, match="正则表达式"):
        form_of({"pattern": pattern})


# --- draft-07 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "pointer", "advice"),
    [
        ({"dependencies": {"a": ["b"]}}, "/dependencies", "dependentRequired"),
        ({"dependencies": {"a": {"required": ["b"]}}}, "/dependencies", "dependentSchemas"),
        (
            {"properties": {"v": {"items": [{"type": "string"}], "additionalItems": False}}},
            "/properties/v/additionalItems",
            "prefixItems",
        ),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "/$schema", "draft-07"),
        (
            {"properties": {"v": {"$recursiveRef": "#"}}},
            "/properties/v/$recursiveRef",
            "$dynamicRef",
        ),
    ],
)
def test_draft_07_keywords_are_refused_with_what_to_write(
    tmp_path: Path, capsys: Cap, schema: dict[str, Any], pointer: str, advice: str
) -> None:
    status, lines = check(tmp_path, {"type": "object", **schema}, capsys)
    assert status == 1
    assert any(f"#{pointer}: " in line and advice in line for line in lines), lines
    with pytest.raises(forms.FormDefinitionError, match=advice.replace("$", "\\$")):
        forms.load_form({"type": "object", **schema}, name="draft07")


# --- references -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    ["#addr", "#/$defs/rate%25", "#/$defs/anything", "item.json", "#/$defs/tilde~0slash~1"],
)
def test_local_references_of_every_kind_work(ref: str) -> None:
    schema = {
        "type": "object",
        "$defs": {
            "rate%": {"type": "integer"},
            "tilde~slash/": {"type": "integer"},
            "address": {"$anchor": "addr", "type": "integer"},
            "anything": True,
            "item": {"$id": "item.json", "type": "integer"},
        },
        "properties": {"v": {"$ref": ref, "title": "数量"}},
    }
    form = forms.load_form(schema, name="refs")
    assert form.validate({"v": 3}) == []
    errors = form.validate({"v": "三"})
    assert (errors == []) is (ref == "#/$defs/anything")
    assert all(e.message == "「数量」必须填写整数" for e in errors)


def test_a_reference_to_a_false_schema_refuses_everything() -> None:
    form = forms.load_form(
        {"type": "object", "$defs": {"no": False}, "properties": {"v": {"$ref": "#/$defs/no"}}},
        name="refs-false",
    )
    assert form.validate({}) == []
    assert [e.path for e in form.validate({"v": 1})] == ["v"]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"properties": {"v": {"$ref": "#/$defs/missing"}}}, "$ref 指向的定义不存在"),
        ({"properties": {"v": {"$ref": "other.json#/a"}}}, "只支持本文件内的 $ref"),
        (
            {"$defs": {"a": {"$ref": "#/$defs/a"}}, "properties": {"v": {"$ref": "#/$defs/a"}}},
            "循环引用",
        ),
        ({"allOf": [{"$ref": "#"}]}, "循环引用"),
    ],
)
def test_broken_references_are_a_form_definition_error(
    schema: dict[str, Any], message: str
) -> None:
    with pytest.raises(forms.FormDefinitionError, match=message.replace("$", "\\$")):
        forms.load_form({"type": "object", **schema}, name="broken")


def test_messages_follow_references_when_the_data_is_invalid() -> None:
    """Built directly (no checker), invalid data once crashed the message code."""
    schema = {
        "type": "object",
        "$defs": {"n": {"$anchor": "n", "type": "integer", "title": "人数"}},
        "properties": {"v": {"$ref": "#n"}, "w": {"$dynamicRef": "#n"}},
    }
    form = forms.Form(schema, None, name="direct", key="direct")
    assert form.validate({"v": "x", "w": "y"}) == [
        forms.FieldError("v", "「人数」必须填写整数"),
        forms.FieldError("w", "「人数」必须填写整数"),
    ]


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "1998-12-31T23:59:60Z", "1990-12-31T15:59:59+24:00"),
        ("date-time", "2024-03-01T09:30:00+08:00", "2024-03-01T09:30:00+00:60"),
        ("time", "15:59:60-08:00", "22:59:60Z"),
        ("email", "te.s.t@example.com", ".test@example.com"),
        ("email", "zhang@example.cn", "te..st@example.com"),
        ("uri", "https://www.example.cn/a?b=c#d", "www.example.cn"),
        ("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2eb8aa08aa9811eab4aa73b441d16380"),
        ("ipv4", "192.168.0.1", "192.168.0.256"),
        ("ipv6", "2001:db8::1", "1::d6::42"),
        ("hostname", "www.example.cn", "-bad.example.cn"),
        ("duration", "PT2H30M", "P1Y2D"),
        ("data-url", "data:text/plain;base64,5L2g5aW9", "data:text/plain;base64,@@@"),
        ("cn-mobile", "13812341234", "12812345678"),
    ],
)
def test_formats(fmt: str, good: str, bad: str) -> None:
    form = form_of({"type": "string", "title": "值", "format": fmt})
    assert form.validate({"v": good}) == []
    errors = form.validate({"v": bad})
    assert len(errors) == 1 and errors[0].path == "v"


def test_cn_mobile_says_which_prefixes_are_valid() -> None:
    form = form_of({"type": "string", "format": "cn-mobile"})
    assert form.validate({"v": "12812345678"}) == [
        forms.FieldError("v", "手机号应为 13–19 开头的 11 位数字")
    ]


def test_data_url_has_a_size_limit() -> None:
    form = form_of({"type": "string", "title": "照片", "format": "data-url"})
    big = "data:application/octet-stream;base64," + "A" * ((DATA_URL_MAX_BYTES // 3 + 1) * 4)
    assert form.validate({"v": big}) == [
        forms.FieldError("v", f"「照片」内嵌文件过大，不能超过 {DATA_URL_MAX_BYTES // 1024} KB")
    ]


def test_unknown_formats_stay_refused(tmp_path: Path, capsys: Cap) -> None:
    status, lines = check(
        tmp_path, {"type": "object", "properties": {"v": {"format": "iri"}}}, capsys
    )
    assert status == 1 and "未知的格式「iri」" in lines[0]


# --- messages ---------------------------------------------------------------------------------


def test_each_metaschema_problem_is_printed_once(tmp_path: Path, capsys: Cap) -> None:
    """A property that is not a schema reached the metaschema along eight paths."""
    properties = {"a": {"type": "strin"}, "b": {"minLength": -1}, "c": 1}
    status, lines = check(tmp_path, {"type": "object", "properties": properties}, capsys)
    assert status == 1
    assert [line.split(": ")[0].rpartition("#")[2] for line in lines] == [
        "/properties/a/type",
        "/properties/b/minLength",
        "/properties/c",
    ]
    assert lines[2].endswith("「c」应为一个 schema（JSON 对象或 true/false）")


def test_row_errors_use_the_row_label_the_form_shows() -> None:
    form = form_of(
        {"type": "array", "title": "skills", "items": {"type": "string", "minLength": 2}}
    )
    assert form.validate({"v": ["ab", "x"]}) == [
        forms.FieldError("v/1", "「skills 2」至少填写 2 个字")
    ]
    assert "skills 2" in str(form.render({"v": ["ab", "x"]}))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ({"type": "object", "maxProperties": 1}, {"a": 1, "b": 2}, "「标签」最多填写 1 项"),
        ({"type": "array", "contains": {"const": 1}}, [2], "「标签」至少需要一项符合要求"),
        (
            {"type": "array", "contains": {"const": 1}, "maxContains": 1},
            [1, 1],
            "「标签」最多 1 项符合要求",
        ),
        (
            {"type": "object", "unevaluatedProperties": False},
            {"a": 1},
            "「标签」包含表单以外的内容",
        ),
        (
            {"type": "object", "propertyNames": {"maxLength": 2}},
            {"abc": 1},
            "「标签」中有不符合要求的名称",
        ),
    ],
)
def test_keywords_beyond_the_basics_have_their_own_message(
    field: dict[str, Any], value: Any, message: str
) -> None:
    form = form_of({"title": "标签", **field})
    assert form.validate({"v": value}) == [forms.FieldError("v", message)]
