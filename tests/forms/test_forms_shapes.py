"""forms/shapes.py through the public API: what each shape renders, what a browser sends back
for it, and what is stored (the browser tests drive the same shapes in Chromium)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

import forms
from tests.forms.browserlike import entries, submitted

DEPENDENT = {
    "type": "object",
    "properties": {"channel": {"title": "受理渠道", "enum": ["来访", "电话"]}},
    "dependentSchemas": {
        "channel": {
            "oneOf": [
                {"properties": {"channel": {"enum": ["来访"]}}},
                {
                    "properties": {
                        "channel": {"enum": ["电话"]},
                        "caller_phone": {"type": "string", "title": "来电号码"},
                    },
                    "required": ["caller_phone"],
                },
            ]
        }
    },
}


def sent(form: forms.Form, data: Any, changes: dict[str, str] | None = None) -> dict[str, Any]:
    """Render data, change some inputs as a person would, parse what the browser sends."""
    pairs = [(n, (changes or {}).get(n, v)) for n, v in entries(form.render(data))]
    names = {n for n, _ in pairs}
    pairs += [(n, v) for n, v in (changes or {}).items() if n not in names]
    return form.parse_submission(FormData(pairs))


def test_dependent_question_rendered_read_and_validated_for_the_chosen_answer() -> None:
    form = forms.load_form(DEPENDENT, name="dependent")
    assert 'name="caller_phone"' not in form.render({})
    assert 'name="caller_phone"' not in form.render({"channel": "来访"})
    html = form.render({"channel": "电话"})
    assert 'name="caller_phone"' in html
    assert '<option value="来访">' in html  # the question keeps all its answers
    data = sent(form, {"channel": "电话"}, {"caller_phone": "0571-1234"})
    assert data == {"channel": "电话", "caller_phone": "0571-1234"}
    assert form.validate(data) == []
    missing = form.validate({"channel": "电话"})
    assert [(e.path, e.message) for e in missing] == [("caller_phone", "请填写来电号码")]
    # the answer changed: the other branch's field is no longer read
    assert sent(form, data, {"channel": "来访"}) == {"channel": "来访"}


def test_prefix_items_positions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string", "title": "名称"}, {"type": "boolean"}],
                "items": False,
            }
        },
    }
    form = forms.load_form(schema, name="tuple")
    html = str(form.render({}))
    assert 'name="pair/0" type="text"' in html and 'name="pair/1" type="checkbox"' in html
    assert "添加" not in html  # items: false, no room beyond the prefix
    assert sent(form, {}) == {}  # a tuple nobody filled in is left out
    assert sent(form, {"pair": [None, True]}) == {"pair": [None, True]}  # a hole holds its place
    assert sent(form, {"pair": ["借条", False]}) == {"pair": ["借条", False]}
    grown = form.apply_action({"pair": ["借条", False]}, "add:pair")
    assert grown == {"pair": ["借条", False]}  # nothing to add to a closed tuple


def test_key_value_rows() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "patternProperties": {"^n_\\p{Han}*": {"type": "integer"}},
        "additionalProperties": {"type": "string"},
    }
    form = forms.load_form(schema, name="extras")
    stored = {"name": "甲", "n_房间": 3, "note": "无"}
    html = str(form.render(stored))
    assert 'name="_extra/0/value" type="number" value="3"' in html  # the pattern's schema
    assert sent(form, stored) == stored
    # a row without a key, or naming a declared field, is not read
    changed = sent(
        form, stored, {"_extra/1/key": "", "_extra/2/key": "name", "_extra/2/value": "乙"}
    )
    assert changed == {"name": "甲", "n_房间": 3}
    added = form.apply_action(dict(stored), "add:_extra")
    assert 'name="_extra/2/key" type="text" value=""' in str(form.render(added))
    assert form.apply_action(dict(stored), "remove:_extra/0") == {"name": "甲", "note": "无"}


def test_choices_read_as_words_and_null_is_kept() -> None:
    schema = {
        "type": "object",
        "properties": {
            "grade": {"anyOf": [{"const": 1, "title": "一般"}, {"const": 2, "title": "重大"}]},
            "agreed": {"enum": [True, False, None]},
            "place": {"enum": [{"name": "城关镇"}, {"name": "东溪乡"}]},
            "age": {"type": ["integer", "null"]},
        },
    }
    form = forms.load_form(schema, name="choices")
    html = str(form.render({"agreed": None}))
    assert '<option value="1">一般</option>' in html
    assert '<option value="null" selected>空</option>' in html
    assert ">是<" in html and ">否<" in html and ">城关镇<" in html and "{'" not in html
    data = sent(form, {}, {"grade": "2", "agreed": "null", "place": '{"name":"东溪乡"}'})
    assert data == {"grade": 2, "agreed": None, "place": {"name": "东溪乡"}, "age": None}
    assert form.validate(data) == []
    shown = str(form.display(data))
    assert "重大" in shown and "空" in shown and "东溪乡" in shown and "None" not in shown


def test_date_time_shown_in_china_time() -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    form = forms.load_form(schema, name="when")
    html = str(form.render({"at": "2024-03-01T01:30:00Z"}))
    assert 'value="2024-03-01T09:30"' in html  # what the parser reads as +08:00
    assert sent(form, {"at": "2024-03-01T09:30:15+08:00"}) == {"at": "2024-03-01T09:30:15+08:00"}
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "time"}}}
    form = forms.load_form(schema, name="time")
    assert 'value="14:05"' in str(form.render({"at": "06:05:00Z"}))
    assert sent(form, {"at": "14:05:30+08:00"}) == {"at": "14:05:30+08:00"}


def test_null_field_is_words_only() -> None:
    schema = {
        "type": "object",
        "properties": {"note": {"type": "null", "title": "说明", "description": "请如实填写"}},
    }
    form = forms.load_form(schema, name="note")
    html = str(form.render({}))
    assert "请如实填写" in html and 'name="note"' not in html
    assert form.parse_submission(submitted('<input name="note" value="x">')) == {}


def test_a_radio_hint_fits_an_any_of_of_titled_consts() -> None:
    """The check reads a field's kind as the renderer does: an anyOf of titled consts is a
    choice, so a radio or select hint fits it (it was refused as 「不适用于这个字段」)."""
    from forms.check import ui_problems

    schema = {
        "type": "object",
        "properties": {
            "way": {
                "anyOf": [{"const": "phone", "title": "电话"}, {"const": "visit", "title": "上门"}]
            }
        },
    }
    assert ui_problems({"fields": {"way": {"widget": "radio"}}}, schema) == []
    assert ui_problems({"fields": {"way": {"widget": "checkbox"}}}, schema) != []


def test_a_fresh_form_asks_the_question_its_default_answer_selects() -> None:
    """A first render fills the default answer in, so the question that answer asks is shown
    with it (it showed only after the person changed the answer)."""
    schema = {
        **DEPENDENT,
        "properties": {"channel": {**DEPENDENT["properties"]["channel"], "default": "电话"}},
    }
    form = forms.load_form(schema, name="dependent_default")
    fresh = str(form.render(None))
    assert 'name="caller_phone"' in fresh
    assert 'name="caller_phone"' not in str(form.render({"channel": "来访"}))
