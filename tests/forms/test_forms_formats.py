"""The domain formats and the strict standard ones, through a compiled form (so that the
format checker is proven to be in use, not just the functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from jsonschema import Draft202012Validator

import forms
from forms.formats import FORMAT_CHECKER

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    """Independent GB 11643 computation for building test numbers."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def errors_for(fmt: str, value: str) -> list[str]:
    form = forms.load_form(
        {"type": "object", "properties": {"v": {"type": "string", "title": "值", "format": fmt}}}
    )
    return [e.message for e in form.validate({"v": value})]


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        with_check_digit("42010619851111234"),
        with_check_digit("33010220000229123"),
    ],
)
def test_valid_id_numbers(value: str) -> None:
    assert errors_for("cn-id-number", value) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "身份证号校验位不正确，请核对"),
        ("11010519491231002", "身份证号应为18位"),
        ("1101051949123100AX", "身份证号只能由数字组成，最后一位可以是X"),
        (with_check_digit("99010519491231002"), "身份证号前两位不是有效的省级地区代码"),
        (with_check_digit("33010220010229123"), "身份证号中的出生日期无效"),
        (
            with_check_digit(
                "330102" + (date.today() + timedelta(days=2)).strftime("%Y%m%d") + "123"
            ),
            "身份证号中的出生日期无效",
        ),
    ],
)
def test_invalid_id_numbers(value: str, message: str) -> None:
    assert errors_for("cn-id-number", value) == [message]


@pytest.mark.parametrize("value", ["13812341234", "19900001111", "15000000000"])
def test_valid_mobiles(value: str) -> None:
    assert errors_for("cn-mobile", value) == []


@pytest.mark.parametrize("value", ["12812341234", "1381234123", "138123412345", "+8613812341234"])
def test_invalid_mobiles(value: str) -> None:
    assert errors_for("cn-mobile", value) == ["手机号应为 13–19 开头的 11 位数字"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("33010", "行政区划代码应为6位数字"),
        ("33010a", "行政区划代码应为6位数字"),
        ("000000", "行政区划代码前两位不是有效的省级代码"),
    ],
)
def test_division_codes(value: str, message: str) -> None:
    assert errors_for("cn-division-code", "330102") == []
    assert errors_for("cn-division-code", value) == [message]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2024-03-01T09:30:00+08:00", "2024-03-01T09:30:00"),  # zone required
        ("date-time", "2024-03-01T01:30:00Z", "2024-03-01 nine thirty"),
        ("time", "09:30:00+08:00", "9:30"),
        ("date", "2024-12-31", "2024-1-1"),
        ("email", "a.b@county.gov.cn", "a.b@"),
    ],
)
def test_standard_formats_are_really_checked(fmt: str, good: str, bad: str) -> None:
    assert errors_for(fmt, good) == []
    (message,) = errors_for(fmt, bad)
    assert message.startswith("「值」")


def test_plain_jsonschema_would_skip_our_formats_but_our_checker_does_not() -> None:
    schema = {"format": "cn-mobile"}
    assert Draft202012Validator(schema).is_valid("12345")  # no checker: format ignored
    assert not Draft202012Validator(schema, format_checker=FORMAT_CHECKER).is_valid("12345")


def test_formats_ignore_non_strings_so_type_reports_them() -> None:
    form = forms.load_form(
        {
            "type": "object",
            "properties": {"p": {"type": "string", "title": "电话", "format": "cn-mobile"}},
        }
    )
    assert [e.message for e in form.validate({"p": 13812341234})] == ["「电话」必须填写文字"]


def test_full_width_input_is_normalised_and_other_digits_refused() -> None:
    form = forms.load_form(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string", "title": "身份证号", "format": "cn-id-number"},
                "phone": {"type": "string", "title": "电话", "format": "cn-mobile"},
                "count": {"type": "integer", "title": "人数"},
            },
        }
    )
    data = form.parse_submission(
        {
            "id": "１１０１０５１９４９１２３１００２ｘ",
            "phone": "１３８１２３４１２３４",
            "count": "１２",
        }
    )
    assert data == {"id": "11010519491231002X", "phone": "13812341234", "count": 12}
    assert form.validate(data) == []
    arabic_indic = "\u0661\u0663\u0668" + "12341234"
    assert errors_for("cn-mobile", arabic_indic) == ["手机号应为 13–19 开头的 11 位数字"]
    assert errors_for("cn-division-code", "\u0663\u0663\u0660\u0661\u0660\u0662") == [
        "行政区划代码应为6位数字"
    ]
