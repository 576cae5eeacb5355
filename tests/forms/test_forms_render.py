"""Rendering and display: labels, required marks, escaping, masking, macros in a foreign
Jinja2 environment."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from jinja2 import Environment, FileSystemLoader

import forms

XSS = '<script>alert("x")</script>'


class Inputs(HTMLParser):
    """Collects controls and label targets, to check that every input has a label."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self.in_fieldset_legend = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)


def test_every_control_has_a_label_and_ids_are_unique(intake: forms.Form) -> None:
    data = {"legal_aid": True, "parties": [{}, {}], "respondent": {"kind": "org"}, "tags": ["a"]}
    parser = Inputs()
    parser.feed(intake.render(data, intake.validate(data)))
    assert len(parser.controls) > 30
    for control in parser.controls:
        assert control.get("id") in parser.label_for, control
    assert len(parser.ids) == len(set(parser.ids))


def test_required_marked_and_errors_described(intake: forms.Form) -> None:
    html = intake.render({}, intake.validate({}))
    assert (
        '<label for="yf-summary">纠纷概要<span class="yf-req" aria-hidden="true">*</span>' in html
    )
    assert 'aria-describedby="yf-summary-help yf-summary-error" aria-invalid="true"' in html
    summary = re.search(r'<div class="yf-summary".*?</div>', html, re.S)
    assert summary and 'role="alert"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)">', summary.group(0))
    assert links and all(f'id="{anchor}"' in html for anchor in links)


def test_values_titles_and_messages_are_escaped() -> None:
    form = forms.load_form(
        {
            "type": "object",
            "title": XSS,
            "properties": {
                "a": {"type": "string", "title": XSS, "description": XSS, "enum": [XSS, "b"]},
                "b": {"type": "string", "title": "b"},
            },
        }
    )
    html = form.render({"a": XSS, "b": XSS}, [forms.FieldError("b", XSS)])
    shown = form.display({"a": XSS, "b": XSS})
    assert "<script>" not in html and "<script>" not in shown
    assert "&lt;script&gt;" in html and "&lt;script&gt;" in shown
    assert "<script" not in html.replace("&lt;script", "")  # no inline script from us either


def test_display_masks_unless_revealed(intake: forms.Form) -> None:
    data = {
        "parties": [{"name": "张三", "id_number": "11010519491231002X", "phone": "13812341234"}],
        "respondent": {"kind": "person", "name": "李四", "phone": "13900001111"},
    }
    masked = intake.display(data)
    assert "138****1234" in masked and "110***********002X" in masked and "139****1111" in masked
    assert "13812341234" not in masked and "11010519491231002X" not in masked
    revealed = intake.display(data, reveal_sensitive=True)
    assert "13812341234" in revealed and "11010519491231002X" in revealed


def test_ui_hint_can_mark_any_field_sensitive() -> None:
    schema = {"type": "object", "properties": {"addr": {"type": "string", "title": "住址"}}}
    form = forms.load_form(schema, {"fields": {"addr": {"sensitive": True}}})
    assert "城关镇幸福路12号" not in form.display({"addr": "城关镇幸福路12号"})
    assert forms.mask("城关镇幸福路12号") == "城关镇**路12号"


def test_defaults_only_on_a_fresh_form(intake: forms.Form) -> None:
    assert (
        'id="yf-people_involved" name="people_involved" type="number" value="2"' in intake.render()
    )
    cleared = intake.render({"channel": "walk_in"})
    assert 'name="people_involved" type="number" value=""' in cleared


def test_macros_work_in_a_foreign_environment(intake: forms.Form) -> None:
    env = Environment(loader=FileSystemLoader(forms.templates_dir), autoescape=True)
    forms.install_filters(env)
    template = env.from_string(
        '{% from "forms/macros.html" import form %}<main>{{ form(view) }}</main>'
    )
    html = template.render(view=intake.view(action="/cases/new", csrf_token="abc"))
    assert html.startswith('<main>\n<form class="yf" method="post" action="/cases/new"')
    assert 'name="csrf_token" value="abc"' in html


def test_sections_and_order_from_ui_hints(intake: forms.Form) -> None:
    html = intake.render()
    legends = re.findall(r'<fieldset class="yf-section">\s*<legend>([^<]+)', html)
    assert legends == ["受理信息", "当事人", "纠纷情况", "法律援助与附件"]
    assert (
        html.index('name="case_code"')
        < html.index('name="channel"')
        < html.index('name="category"')
    )


def test_field_hints_label_placeholder_help_rows_and_add_label() -> None:
    schema = {
        "type": "object",
        "properties": {
            "note": {"type": "string", "title": "备注", "description": "原说明"},
            "kids": {
                "type": "array",
                "title": "子女",
                "items": {"type": "string", "title": "子女"},
            },
        },
    }
    ui = {
        "fields": {
            "note": {
                "label": "情况说明",
                "placeholder": "请简要说明",
                "help": "新说明",
                "widget": "textarea",
                "rows": 7,
            },
            "kids": {"add_label": "再加一个"},
        }
    }
    html = forms.load_form(schema, ui).render()
    assert '<label for="yf-note">情况说明</label>' in html
    assert 'rows="7"' in html and 'placeholder="请简要说明"' in html
    assert "新说明" in html and "原说明" not in html
    assert ">＋ 再加一个</button>" in html


def test_read_only_keeps_the_server_copy(intake: forms.Form) -> None:
    data = intake.parse_submission({"case_code": "伪造"}, previous={"case_code": "YD-2024-0001"})
    assert data["case_code"] == "YD-2024-0001"


def test_custom_required_message_and_title_fallback() -> None:
    schema = {"type": "object", "required": ["tel"], "properties": {"tel": {"type": "string"}}}
    form = forms.load_form(
        schema, {"fields": {"tel": {"messages": {"required": "请留下联系电话"}}}}
    )
    assert form.validate({}) == [forms.FieldError("tel", "请留下联系电话")]
    bare = forms.load_form(schema)
    assert bare.validate({}) == [forms.FieldError("tel", "请填写tel")]


def test_errors_come_in_page_order(intake: forms.Form) -> None:
    data = {"legal_aid": True, "parties": [{}, {"name": "x"}], "respondent": {}}
    paths = [e.path for e in intake.validate(data)]
    page = intake.render(data, intake.validate(data))
    where = [page.index(f'id="yf-{p.replace("/", "__")}"') for p in paths]
    assert where == sorted(where)
    assert paths[:4] == ["channel", "category", "severity", "parties/0/name"]
    assert paths[-1] == "aid"  # the conditional section comes last, as on the page
