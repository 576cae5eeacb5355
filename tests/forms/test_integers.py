"""The one integer parser (forms/integers.py) and the places that read numbers from outside:
「²」 is a digit to `str.isdigit()` and a ValueError to `int()` (issue 16 point 6); full-width
０-９ are read as digits (docs/workbench.md, Security)."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

import forms
from admin import ticket_ops
from forms.integers import is_ascii_digits, parse_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (" 12 ", 12),
        ("365", 365),
        ("366", None),
        ("0", None),
        ("²", None),
        ("３", 3),  # full-width, as a Chinese input method types it
        ("３６６", None),
        ("٣", None),
        ("𝟙", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        ("1_000", None),
        ("9" * 30, None),
        ("", None),
    ],
)
def test_only_ascii_digits_in_range(text, expected):
    assert parse_int(text, 1, 365) == expected


def test_not_text_is_not_a_number():
    assert parse_int(7, 0, 10) is None and parse_int(None, 0, 10) is None
    assert is_ascii_digits("12") and not is_ascii_digits("1²") and not is_ascii_digits("")


FORM = forms.load_form(
    {
        "type": "object",
        "properties": {
            "parties": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "evidence": {"title": "证据", "x-attachment": {"accept": ["application/pdf"]}},
        },
    },
    name="integers-test",
)


def submitted(**fields: str) -> FormData:
    return FormData(list(fields.items()))


@pytest.mark.parametrize("row", ["²", "٣", "３", "9" * 40])
def test_a_row_button_with_an_odd_row_number_removes_nothing(row):
    data = FORM.parse_submission(submitted(**{"parties/0/name": "甲", "parties/1/name": "乙"}))
    assert FORM.apply_action(data, f"remove:parties/{row}") == data
    assert FORM.apply_action(data, "remove:parties/1")["parties"] == [{"name": "甲"}]


@pytest.mark.parametrize("size", ["²", "٣", "9" * 40])
def test_an_evidence_size_with_odd_digits_is_a_validation_error(size):
    fields = {
        "evidence/sha256": "0" * 64,
        "evidence/filename": "a.pdf",
        "evidence/size": size,
        "evidence/content_type": "application/pdf",
    }
    data = FORM.parse_submission(submitted(**fields))
    assert data["evidence"]["size"] == 0
    assert FORM.validate(data)  # size 0 is below the minimum: refused in Chinese


class Engine:
    def extend(self, *args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("an odd amount reached the engine")


@pytest.mark.parametrize("amount", ["²", "٣", "0", "366", "３６６", "9" * 40])
def test_an_extension_by_odd_digits_is_refused_before_the_engine(amount):
    form = submitted(reason="材料未齐", amount=amount, unit="day")
    with pytest.raises(ticket_ops.BadInput, match="阿拉伯数字"):
        ticket_ops._call(Engine(), "extend", None, 1, form, ticket_ops.TicketOps(extend=True))
