"""Rendering: the Jinja2 environment of forms/templates and the view objects the macros take.

The macros work in any Jinja2 Environment that can load `forms.templates_dir` (autoescape
on); `Form.render` and `Form.display` use a standalone one, for the CLI and for callers that
just want the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from forms.fields import Field, as_input, field_id, walk
from forms.messages import FieldError, size_text
from forms.shapes import option_text, readable
from forms.ui import Section

templates_dir = Path(__file__).parent / "templates"


def mask(text: str) -> str:
    """138****1234: keep the first 3 and last 4 characters, hide the middle."""
    if len(text) <= 7:
        return text[:1] + "*" * max(len(text) - 1, 0)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def input_text(value: Any) -> str:
    return as_input(value, "")


@dataclass
class SummaryItem:
    anchor: str
    message: str


@dataclass
class Group:
    """A UI-hint section (title set) or the loose top-level fields (no title)."""

    title: str
    help: str
    fields: list[Field]


@dataclass
class FormView:
    """Everything the form macros need for one rendering."""

    key: str  # content hash: identifies the form version to the htmx endpoints
    title: str
    description: str
    groups: list[Group]
    summary: list[SummaryItem] = field(default_factory=list)
    action: str = ""
    csrf_token: str = ""
    refresh_url: str = ""
    multipart: bool = False
    reveal_sensitive: bool = False
    download_url: str = ""

    @property
    def body_id(self) -> str:
        return f"yf-body-{self.key}"


def group_fields(fields: list[Field], sections: list[Section]) -> list[Group]:
    by_name = {f.name: f for f in fields}
    groups: list[Group] = []
    used: set[str] = set()
    for section in sections:
        members = [by_name[n] for n in section.fields if n in by_name and n not in used]
        used.update(f.name for f in members)
        if members:
            groups.append(Group(section.title, section.help, members))
    rest = [f for f in fields if f.name not in used]
    if rest:
        groups.append(Group("", "", rest))
    return groups


def summarise(fields: list[Field], errors: list[FieldError]) -> list[SummaryItem]:
    """Error summary links: to the field when it is on the page, else to the summary."""
    shown = {f.path for f in walk(fields)}
    items = []
    for error in errors:
        path = error.path
        while path and path not in shown:
            path = path.rpartition("/")[0]
        items.append(SummaryItem(field_id(path) if path else "yferr-summary", error.message))
    return items


def attachment_help(item: Field) -> str:
    props = item.schema.get("properties", {})
    accept = props.get("content_type", {}).get("x-accept", [])
    limit = props.get("size", {}).get("maximum")
    kinds = "、".join(a.split("/")[-1].upper().replace("*", "图片") for a in accept)
    parts = [f"支持 {kinds}" if kinds else "", f"不超过 {size_text(limit)}" if limit else ""]
    return "，".join(p for p in parts if p)


def accept_attr(item: Field) -> str:
    accept = item.schema.get("properties", {}).get("content_type", {}).get("x-accept", [])
    return ",".join(accept)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env)
    return env


def install_filters(env: Environment) -> None:
    """The filters the macros use; call this on the web app's own Environment."""
    env.filters["yf_mask"] = mask
    env.filters["yf_input"] = input_text
    env.filters["yf_size"] = size_text
    env.filters["yf_option"] = option_text
    env.filters["yf_readable"] = readable
    env.globals["yf_attachment_help"] = attachment_help
    env.globals["yf_accept"] = accept_attr


ENV = _environment()


def render_template(name: str, **context: Any) -> Markup:
    return Markup(ENV.get_template(name).render(**context))
