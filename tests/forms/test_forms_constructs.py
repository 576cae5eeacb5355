"""Each construct the issue lists: render it, submit -> parse -> validate -> store -> display,
and an invalid submission of it that re-renders with the value kept and a Chinese error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

import forms

ID_OK = "11010519491231002X"  # the example of GB 11643 itself
ID_BAD_CHECK = "110105194912310021"


def obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or [], **extra}


@dataclass
class Construct:
    name: str
    schema: dict[str, Any]
    submitted: dict[str, Any]
    stored: dict[str, Any]
    shown: list[str]  # texts the read-only display must contain
    bad: dict[str, Any]
    error: tuple[str, str]  # (path, message) the bad submission must produce
    rendered: list[str] = field(default_factory=list)  # HTML the empty form must contain
    ui: dict[str, Any] | None = None


CONSTRUCTS = [
    Construct(
        "text with minLength and required",
        obj({"name": {"type": "string", "title": "当事人姓名", "minLength": 2}}, ["name"]),
        {"name": " 张三 "},
        {"name": "张三"},
        ["当事人姓名", "张三"],
        {"name": ""},
        ("name", "请填写当事人姓名"),
        ['name="name" type="text"', "required"],
    ),
    Construct(
        "textarea with maxLength and help from description",
        obj(
            {
                "note": {
                    "type": "string",
                    "title": "纠纷概要",
                    "maxLength": 500,
                    "description": "写明起因和诉求",
                }
            }
        ),
        {"note": "邻里漏水纠纷"},
        {"note": "邻里漏水纠纷"},
        ["邻里漏水纠纷"],
        {"note": "字" * 501},
        ("note", "「纠纷概要」不能超过 500 个字"),
        ["<textarea", "写明起因和诉求"],
    ),
    Construct(
        "email",
        obj({"mail": {"type": "string", "title": "邮箱", "format": "email"}}),
        {"mail": "zhang@example.cn"},
        {"mail": "zhang@example.cn"},
        ["zhang@example.cn"],
        {"mail": "zhang-at-example"},
        ("mail", "「邮箱」电子邮箱格式不正确，例如 name@example.cn"),
        ['type="email"'],
    ),
    Construct(
        "tel: cn-mobile, masked on display",
        obj({"phone": {"type": "string", "title": "联系电话", "format": "cn-mobile"}}),
        {"phone": "13812341234"},
        {"phone": "13812341234"},
        ["138****1234"],
        {"phone": "1381234123"},
        ("phone", "手机号应为 13–19 开头的 11 位数字"),
        ['type="tel"'],
    ),
    Construct(
        "date",
        obj({"day": {"type": "string", "title": "来访日期", "format": "date"}}),
        {"day": "2024-02-29"},
        {"day": "2024-02-29"},
        ["2024-02-29"],
        {"day": "2023-02-29"},
        ("day", "「来访日期」日期不存在，请核对"),
        ['type="date"'],
    ),
    Construct(
        "time (local, stored with the China offset)",
        obj({"at": {"type": "string", "title": "预约时间", "format": "time"}}),
        {"at": "09:30"},
        {"at": "09:30:00+08:00"},
        ["09:30"],
        {"at": "25:61"},
        ("at", "「预约时间」时间不存在，请核对"),
        ['type="time"'],
    ),
    Construct(
        "date-time (datetime-local in China time)",
        obj({"at": {"type": "string", "title": "受理时间", "format": "date-time"}}),
        {"at": "2024-03-01T09:30"},
        {"at": "2024-03-01T09:30:00+08:00"},
        ["2024-03-01 09:30"],
        {"at": "2024-13-01T09:30"},
        ("at", "「受理时间」日期不存在，请核对"),
        ['type="datetime-local"'],
    ),
    Construct(
        "number with minimum and multipleOf",
        obj({"amount": {"type": "number", "title": "涉及金额", "minimum": 0, "multipleOf": 0.01}}),
        {"amount": "1200.50"},
        {"amount": 1200.5},
        ["1200.5"],
        {"amount": "-3"},
        ("amount", "「涉及金额」不能小于 0"),
        ['type="number"', 'step="0.01"', 'min="0"'],
    ),
    Construct(
        "integer with maximum; letters are kept and reported",
        obj({"count": {"type": "integer", "title": "涉及人数", "maximum": 500}}),
        {"count": "12"},
        {"count": 12},
        ["12"],
        {"count": "十二"},
        ("count", "「涉及人数」必须填写整数"),
        ['inputmode="numeric"', 'max="500"'],
    ),
    Construct(
        "boolean checkbox (unticked means false)",
        obj(
            {
                "urgent": {"type": "boolean", "title": "紧急"},
                "ok": {"type": "boolean", "title": "已告知权利义务", "const": True},
            }
        ),
        {"urgent": "true", "ok": "true"},
        {"urgent": True, "ok": True},
        ["紧急", "是"],
        {"urgent": "true"},
        ("ok", "请勾选已告知权利义务"),
        ['type="checkbox"'],
    ),
    Construct(
        "enum as select",
        obj(
            {"grade": {"type": "string", "title": "等级", "enum": ["一般", "较大", "重大"]}},
            ["grade"],
        ),
        {"grade": "较大"},
        {"grade": "较大"},
        ["较大"],
        {"grade": "特别大"},
        ("grade", "「等级」请从选项中选择"),
        ["<select", '<option value="重大">重大</option>'],
    ),
    Construct(
        "oneOf-with-const as radio with Chinese labels",
        obj(
            {
                "channel": {
                    "title": "渠道",
                    "oneOf": [
                        {"const": "walk_in", "title": "窗口来访"},
                        {"const": "hotline", "title": "12345热线"},
                    ],
                }
            },
            ["channel"],
        ),
        {"channel": "hotline"},
        {"channel": "hotline"},
        ["12345热线"],
        {},
        ("channel", "请选择渠道"),
        ['type="radio"', "窗口来访"],
        {"fields": {"channel": {"widget": "radio"}}},
    ),
    Construct(
        "array of scalars (rows)",
        obj(
            {
                "tags": {
                    "type": "array",
                    "title": "标签",
                    "maxItems": 2,
                    "items": {"type": "string", "title": "标签"},
                }
            }
        ),
        {"tags/0": "漏水", "tags/1": "邻里"},
        {"tags": ["漏水", "邻里"]},
        ["漏水", "邻里"],
        {"tags/0": "a", "tags/1": "b", "tags/2": "c"},
        ("tags", "「标签」最多 2 项"),
        ["添加标签"],
    ),
    Construct(
        "array of enum as checkboxes",
        obj(
            {
                "tried": {
                    "type": "array",
                    "title": "已尝试途径",
                    "uniqueItems": True,
                    "minItems": 1,
                    "items": {"enum": ["村调委会", "派出所", "信访"]},
                }
            }
        ),
        {"tried": ["村调委会", "信访"]},
        {"tried": ["村调委会", "信访"]},
        ["村调委会、信访"],
        {"tried": []},
        ("tried", "「已尝试途径」至少选择 1 项"),
        ['type="checkbox"', 'value="派出所"'],
    ),
    Construct(
        "array of objects with $ref/$defs and minItems",
        {
            "type": "object",
            "required": ["parties"],
            "$defs": {
                "party": obj(
                    {
                        "name": {"type": "string", "title": "当事人姓名"},
                        "id_number": {
                            "type": "string",
                            "title": "身份证号",
                            "format": "cn-id-number",
                        },
                    },
                    ["name"],
                    title="当事人",
                )
            },
            "properties": {
                "parties": {
                    "type": "array",
                    "title": "当事人",
                    "minItems": 1,
                    "items": {"$ref": "#/$defs/party"},
                }
            },
        },
        {
            "parties/0/name": "张三",
            "parties/0/id_number": ID_OK.lower(),
            "parties/1/name": "李四",
            "parties/1/id_number": "",
        },
        {"parties": [{"name": "张三", "id_number": ID_OK}, {"name": "李四"}]},
        ["张三", "李四", "110***********002X"],
        {"parties/0/name": "张三", "parties/0/id_number": ID_BAD_CHECK},
        ("parties/0/id_number", "身份证号校验位不正确，请核对"),
        ['name="parties/0/name"', "添加当事人"],
    ),
    Construct(
        "nested object as fieldset",
        obj(
            {
                "place": obj(
                    {
                        "town": {"type": "string", "title": "乡镇"},
                        "village": {"type": "string", "title": "村（社区）"},
                    },
                    ["town"],
                    title="发生地",
                )
            },
            ["place"],
        ),
        {"place/town": "城关镇", "place/village": "东村"},
        {"place": {"town": "城关镇", "village": "东村"}},
        ["发生地", "城关镇", "东村"],
        {"place/village": "东村"},
        ("place/town", "请填写乡镇"),
        ["<fieldset", "<legend>发生地"],
    ),
    Construct(
        "default and readOnly (the browser cannot change it)",
        obj(
            {
                "code": {
                    "type": "string",
                    "title": "案件编码",
                    "readOnly": True,
                    "default": "待生成",
                },
                "grade": {
                    "type": "string",
                    "title": "等级",
                    "enum": ["一般", "较大"],
                    "default": "一般",
                },
            }
        ),
        {"code": "伪造", "grade": "一般"},
        {"code": "待生成", "grade": "一般"},
        ["待生成"],
        {"grade": "x"},
        ("grade", "「等级」请从选项中选择"),
        ['value="待生成" readonly', '<option value="一般" selected>'],
    ),
    Construct(
        "if/then/else: a 法律援助 section only when ticked",
        {
            "type": "object",
            "properties": {"aid": {"type": "boolean", "title": "是否申请法律援助"}},
            "if": {"properties": {"aid": {"const": True}}, "required": ["aid"]},
            "then": {
                "properties": {"reason": {"type": "string", "title": "申请理由"}},
                "required": ["reason"],
            },
            "else": {"properties": {"why_not": {"type": "string", "title": "未申请原因"}}},
        },
        {"aid": "true", "reason": "经济困难", "why_not": "不该保存"},
        {"aid": True, "reason": "经济困难"},
        ["经济困难"],
        {"aid": "true"},
        ("reason", "请填写申请理由"),
        ["未申请原因"],
    ),
    Construct(
        "dependentRequired",
        obj(
            {
                "agent": {"type": "string", "title": "代理人"},
                "agent_phone": {"type": "string", "title": "代理人电话", "format": "cn-mobile"},
            },
            dependentRequired={"agent": ["agent_phone"]},
        ),
        {"agent": "王五", "agent_phone": "13900001111"},
        {"agent": "王五", "agent_phone": "13900001111"},
        ["王五", "139****1111"],
        {"agent": "王五"},
        ("agent_phone", "请填写代理人电话"),
        ["代理人电话"],
    ),
    Construct(
        "dependentSchemas",
        obj(
            {"agent": {"type": "string", "title": "代理人"}},
            dependentSchemas={
                "agent": obj({"licence": {"type": "string", "title": "执业证号"}}, ["licence"])
            },
        ),
        {"agent": "王律师", "licence": "13301201810000001"},
        {"agent": "王律师", "licence": "13301201810000001"},
        ["执业证号", "13301201810000001"],
        {"agent": "王律师"},
        ("licence", "请填写执业证号"),
        [],
    ),
    Construct(
        "oneOf of objects: pick a shape, then fill it",
        obj(
            {
                "who": {
                    "title": "被申请方",
                    "oneOf": [
                        obj(
                            {
                                "kind": {"const": "person"},
                                "name": {"type": "string", "title": "姓名"},
                            },
                            ["name"],
                            title="个人",
                        ),
                        obj(
                            {
                                "kind": {"const": "org"},
                                "org": {"type": "string", "title": "单位名称"},
                                "code": {
                                    "type": "string",
                                    "title": "信用代码",
                                    "pattern": "^[0-9A-Z]{18}$",
                                },
                            },
                            ["org", "code"],
                            title="单位",
                        ),
                    ],
                }
            },
            ["who"],
        ),
        {
            "who/_shape": "1",
            "who/org": "某物业公司",
            "who/code": "91330100MA2XXXXX1X",
            "who/name": "不该保存",
        },
        {"who": {"kind": "org", "org": "某物业公司", "code": "91330100MA2XXXXX1X"}},
        ["单位", "某物业公司"],
        {"who/_shape": "1", "who/org": "某物业公司", "who/code": "abc"},
        ("who/code", "「信用代码」格式不正确"),
        ['name="who/_shape"', "个人", "单位"],
    ),
    Construct(
        "anyOf of objects",
        obj(
            {
                "contact": {
                    "title": "联系方式",
                    "anyOf": [
                        obj(
                            {"phone": {"type": "string", "title": "电话", "format": "cn-mobile"}},
                            ["phone"],
                            title="电话",
                        ),
                        obj(
                            {"mail": {"type": "string", "title": "邮箱", "format": "email"}},
                            ["mail"],
                            title="邮箱",
                        ),
                    ],
                }
            }
        ),
        {"contact/_shape": "1", "contact/mail": "a@b.cn"},
        {"contact": {"mail": "a@b.cn"}},
        ["a@b.cn"],
        {"contact/_shape": "0", "contact/phone": "123"},
        ("contact/phone", "手机号应为 13–19 开头的 11 位数字"),
        ['name="contact/_shape"'],
    ),
    Construct(
        "cn-division-code",
        obj({"town": {"type": "string", "title": "区划代码", "format": "cn-division-code"}}),
        {"town": "330102"},
        {"town": "330102"},
        ["330102"],
        {"town": "990102"},
        ("town", "行政区划代码前两位不是有效的省级代码"),
    ),
]


@pytest.mark.parametrize("case", CONSTRUCTS, ids=lambda c: c.name)
def test_round_trip(case: Construct, saved: Any) -> None:
    form = forms.load_form(case.schema, case.ui, name="t")
    empty = form.render(action="/submit", csrf_token="tok")
    for snippet in case.rendered:
        assert snippet in empty
    assert 'name="csrf_token" value="tok"' in empty

    data = form.parse_submission(case.submitted)
    assert data == case.stored
    assert form.validate(data) == []
    loaded = saved(form, data)
    assert loaded == case.stored
    shown = form.display(loaded)
    text = re.sub(r"<[^>]+>", "", shown)
    for snippet in case.shown:
        assert snippet in text


@pytest.mark.parametrize("case", CONSTRUCTS, ids=lambda c: c.name)
def test_invalid_submission_rerenders_with_values_and_errors(case: Construct) -> None:
    form = forms.load_form(case.schema, case.ui, name="t")
    data = form.parse_submission(case.bad)
    errors = form.validate(data)
    assert forms.FieldError(*case.error) in errors
    html = form.render(data, errors)
    path, message = case.error
    summary = html.split('class="yf-summary"', 1)[1].split("</div>", 1)[0]
    assert message in summary
    shown_at = "yf-" + path.replace("/", "__")
    if 'id="' + shown_at + '"' in html:
        assert f'href="#{shown_at}"' in summary
        assert f'<p class="yf-error" id="{shown_at}-error"><span>{message}</span>' in html
    for name, value in case.bad.items():
        typed_in = f'name="{name}" type="text"' in html or f'name="{name}" rows=' in html
        if isinstance(value, str) and value and typed_in:  # what the user typed comes back
            assert f'value="{value}"' in html or f">{value}</textarea>" in html


def test_every_message_is_chinese_not_jsonschema_english() -> None:
    for case in CONSTRUCTS:
        form = forms.load_form(case.schema, case.ui, name="t")
        for error in form.validate(form.parse_submission(case.bad)):
            assert re.search(r"[\u4e00-\u9fff]", error.message), error
            assert "is not" not in error.message and "required property" not in error.message


def test_a_required_shape_not_yet_picked() -> None:
    case = next(c for c in CONSTRUCTS if c.name.startswith("oneOf of objects"))
    form = forms.load_form(case.schema, name="t")
    errors = form.validate(form.parse_submission({}))
    assert errors == [forms.FieldError("who/_shape", "请选择被申请方的类型")]
    html = form.render({"who": {}}, errors)
    assert '<a href="#yf-who___shape">请选择被申请方的类型</a>' in html
    assert 'id="yf-who___shape-error"' in html
