"""The field tree of one form for one set of values: what the templates render and display.

Built from the schema view (forms.schema) and the UI hints (forms.ui); one Field per input,
fieldset, array or shape choice, carrying its label, help, current value and errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from forms import shapes
from forms.schema import REF_MARK, Schema, SchemaDoc
from forms.ui import UiHints, generic_path

TEXT_WIDGETS = {"email": "email", "cn-mobile": "tel", "date": "date", "time": "time"}
SENSITIVE_FORMATS = frozenset({"cn-id-number", "cn-mobile"})
TEXTAREA_FROM = 200  # a string allowed this many characters gets a textarea by default
CHINA = timezone(timedelta(hours=8))  # what a datetime-local input shows and means


def field_id(path: str) -> str:
    return "yf-" + path.replace("/", "__") if path else "yf-root"


@dataclass
class Field:
    path: str
    name: str
    widget: str  # text textarea email tel date time datetime number checkbox select radio
    # checkboxes file fieldset rows note (a null field: words only) extras (key/value rows)
    title: str
    schema: Schema
    value: Any = None
    help: str = ""
    placeholder: str = ""
    required: bool = False
    read_only: bool = False
    sensitive: bool = False
    conditional: bool = False
    trigger: bool = False
    kind: str = "string"
    options: list[tuple[Any, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[Field] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    shape_index: int | None = None
    min_items: int = 0
    max_items: int | None = None
    add_label: str = ""
    null: bool = False  # the value is a stored null (not merely absent)
    fixed: int = 0  # rows: how many leading rows are prefixItems positions (never removed)
    hint: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return field_id(self.path)

    @property
    def input_value(self) -> str:
        """The value as an HTML input shows it (local time for date-time, no seconds)."""
        return as_input(self.value, self.widget)

    def is_chosen(self, option: Any) -> bool:
        if isinstance(self.value, list):
            return option in self.value
        if option is None:
            return self.null
        return self.value == option and self.value is not None


def as_input(value: Any, widget: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if widget == "datetime" and len(text) >= 16:
        return local_datetime(text)
    if widget == "time" and len(text) >= 5 and text[2:3] == ":":
        return local_datetime("2000-01-01T" + text)[11:]
    return text


def local_datetime(text: str) -> str:
    """A stored date-time as a datetime-local input shows it: China Standard Time (what the
    parser reads the input as), seconds only when there are any."""
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return text[:10] + "T" + text[11:16]  # not a date-time: shown as typed
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    shown = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return shown[:16] if shown.endswith(":00") else shown


@dataclass
class Builder:
    doc: SchemaDoc
    ui: UiHints
    errors: dict[str, list[str]]
    fresh: bool  # first render: fill in defaults
    open_refs: list[str | None] = field(default_factory=list)

    def _with_defaults(self, node: Schema, data: Any) -> Any:
        """On a first render, the answers the schema's defaults give, so a question asked only
        when a default answer is chosen (dependentSchemas) shows with it, as a filled form."""
        if not self.fresh or (data is not None and not isinstance(data, dict)):
            return data
        given = data or {}
        props = self.doc.resolve(node).get("properties", {})
        defaults = {
            name: sub["default"]
            for name, sub in props.items()
            if isinstance(sub, dict) and "default" in sub and given.get(name) is None
        }
        return {**defaults, **given} if defaults else data

    def object_fields(self, node: Schema, path: str, data: Any) -> tuple[list[Field], Any]:
        """The child fields of an object node, plus the shape selector (a Field) if any."""
        view = shapes.object_view(self.doc, node, self._with_defaults(node, data))
        values = data if isinstance(data, dict) else {}
        names = self.ui.ordered(path, list(view.properties))
        children = []
        for name in names:
            child_path = f"{path}/{name}" if path else name
            ref = view.properties[name].get(REF_MARK)
            if ref is not None and ref in self.open_refs and values.get(name) is None:
                continue  # a recursive definition: shown only as deep as the data goes
            self.open_refs.append(ref)
            child = self.build(view.properties[name], child_path, name, values.get(name))
            self.open_refs.pop()
            child.null = name in values and values[name] is None
            child.required = name in view.required
            child.conditional = name in view.conditional
            child.trigger = name in view.triggers
            children.append(child)
        if shapes.has_extras(node):
            children.append(self._extras(node, path, view, values))
        shape = None
        if view.shapes:
            shape_path = f"{path}/_shape" if path else "_shape"
            shape = Field(
                path=shape_path,
                errors=self.errors.get(shape_path, []),
                name="_shape",
                widget="radio" if len(view.shapes) <= 4 else "select",
                title=str(node.get("x-shape-title", "类型")),
                schema={},
                value=view.shape_index,
                required=True,
                trigger=True,
                kind="shape",
                options=[
                    (i, str(s.get("title", f"类型{i + 1}"))) for i, s in enumerate(view.shapes)
                ],
            )
        return children, shape

    def build(self, node: Schema, path: str, name: str, value: Any) -> Field:
        node = shapes.unwrap(self.doc, self.doc.resolve(node))
        hint = self.ui.hint(path)
        if value is None and self.fresh and "default" in node:
            value = node["default"]
        kind = shapes.kind(self.doc, node)
        fmt = node.get("format")
        result = Field(
            path=path,
            name=name,
            widget="text",
            title=str(hint.get("label") or node.get("title") or name),
            schema=node,
            value=value,
            help=str(hint.get("help") or node.get("description") or ""),
            placeholder=str(hint.get("placeholder", "")),
            read_only=bool(node.get("readOnly", False)),
            sensitive=bool(hint.get("sensitive", fmt in SENSITIVE_FORMATS)),
            kind=kind,
            hint=hint,
            errors=self.errors.get(path, []),
        )
        if kind == "object":
            result.widget = "fieldset"
            children, shape = self.object_fields(node, path, value)
            result.children = [shape, *children] if shape else children
            if shape:
                result.shapes = [label for _, label in shape.options]
                result.shape_index = shape.value
        elif kind == "array":
            self._array(result, node, path, value)
        elif kind == "choice" and "const" in node and "enum" not in node:
            result.widget = "const"  # fixed by the schema (a shape's discriminator): no input
            result.value = node["const"]
        elif kind == "choice":
            result.options = shapes.options(self.doc, node)
            result.widget = "radio" if hint.get("widget") == "radio" else "select"
        elif kind == "boolean":
            result.widget = "checkbox"
        elif kind in ("number", "integer"):
            result.widget = "number"
        elif kind == "file":
            result.widget = "file"
        elif kind == "null":
            result.widget = "note"
        else:
            result.widget = self._text_widget(node, hint, fmt)
        return result

    def _text_widget(self, node: Schema, hint: dict[str, Any], fmt: Any) -> str:
        if hint.get("widget") == "textarea":
            return "textarea"
        if fmt == "date-time":
            return "datetime"
        if isinstance(fmt, str) and fmt in TEXT_WIDGETS:
            return TEXT_WIDGETS[fmt]
        if node.get("maxLength", 0) > TEXTAREA_FROM and hint.get("widget") != "text":
            return "textarea"
        return "text"

    def _array(self, result: Field, node: Schema, path: str, value: Any) -> None:
        items = self.doc.resolve(node.get("items", {}))
        fixed = shapes.prefix(node)
        rows = list(value) if isinstance(value, list) else []
        result.min_items = int(node.get("minItems", 0))
        result.max_items = node.get("maxItems")
        if not fixed and shapes.kind(self.doc, items) == "choice":
            result.widget = "checkboxes"
            result.options = shapes.options(self.doc, items)
            result.value = rows
            return
        result.widget = "rows"
        result.fixed = len(fixed)
        if node.get("items") is False:
            result.max_items = min(len(fixed), result.max_items or len(fixed))
        if self.fresh and not rows:
            rows = [None] * result.min_items
        rows += [None] * (len(fixed) - len(rows))  # every fixed position is asked
        item_title = str(items.get("title", result.title))
        result.add_label = str(result.hint.get("add_label") or f"添加{item_title}")
        for index, row in enumerate(rows):
            schema = shapes.item_schema(self.doc, node, index)
            if schema is None:
                break  # beyond a closed tuple: validation reports the extra value
            child = self.build(schema, f"{path}/{index}", str(index), row)
            child.null = row is None and isinstance(value, list) and index < len(value)
            own = schema.get("title") if index < len(fixed) else None
            child.title = str(own) if own else f"{item_title} {index + 1}"
            result.rows.append(child)

    def _extras(self, node: Schema, path: str, view: Any, values: dict[str, Any]) -> Field:
        """Key/value rows for the keys an object takes beyond its declared fields."""
        base = f"{path}/{shapes.EXTRA}" if path else shapes.EXTRA
        hint = self.ui.hint(path)
        group = Field(
            path=base,
            name=shapes.EXTRA,
            widget="extras",
            title="其他项目",
            schema={},
            add_label=str(hint.get("add_label") or "添加一项"),
            kind="extras",
        )
        for index, key in enumerate(shapes.extra_keys(view, values)):
            row_path = f"{base}/{index}"
            name = Field(
                path=f"{row_path}/key",
                name="key",
                widget="text",
                title=f"其他项目 {index + 1} 的名称",
                schema={"type": "string"},
                value=key or None,
            )
            schema = shapes.value_schema(self.doc, node, key or None)
            content = self.build(schema, f"{row_path}/value", "value", values.get(key))
            content.title = f"其他项目 {index + 1} 的内容"
            real = f"{path}/{key}" if path else key
            content.errors = self.errors.get(real, []) or content.errors
            group.rows.append(
                Field(
                    path=row_path,
                    name=str(index),
                    widget="pair",
                    title=f"其他项目 {index + 1}",
                    schema={},
                    children=[name, content],
                    kind="pair",
                )
            )
        return group


def walk(fields: list[Field]) -> list[Field]:
    """Every field of a tree, depth first."""
    found: list[Field] = []
    for item in fields:
        found.append(item)
        found.extend(walk(item.children))
        found.extend(walk(item.rows))
    return found


def hint_paths(fields: list[Field]) -> set[str]:
    return {generic_path(f.path) for f in walk(fields)}
