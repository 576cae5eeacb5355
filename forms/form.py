"""A loaded form: one schema version plus its UI hints, compiled once.

`load_form` caches by (name, content hash), so every caller shares one compiled validator per
form version; the same cache is the registry the htmx endpoints look forms up in, so that a
browser only ever names a form by its hash and never sends a schema.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from forms.attachments import DEFAULT_ACCEPT, DEFAULT_MAX_SIZE, Uploads
from forms.check import field_kinds, schema_problems, ui_problems
from forms.fields import Builder, Field
from forms.integers import MAX_SIZE_BYTES, is_ascii_digits, parse_int
from forms.messages import FieldError, Messages
from forms.parse import FileReader, Parser, apply_action, first_text
from forms.render import FormView, group_fields, render_template, summarise
from forms.schema import Schema, SchemaDoc, SchemaError, bound_numbers
from forms.ui import UiHints

_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], Form] = {}
_BY_KEY: dict[str, Form] = {}
REFRESH_BASE = "/forms"  # where server.py mounts forms.routes


class FormDefinitionError(ValueError):
    """The schema or UI hints are not a usable form; str() lists the problems in Chinese."""


def _read_json(source: Mapping[str, Any] | Path | str) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise FormDefinitionError(f"{source}: 表单文件的顶层必须是 JSON 对象")
    return data


def content_key(schema: dict[str, Any], ui: dict[str, Any] | None) -> str:
    canonical = json.dumps([schema, ui or {}], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def load_form(
    schema: Mapping[str, Any] | Path | str,
    ui: Mapping[str, Any] | Path | str | None = None,
    *,
    name: str = "",
) -> Form:
    """Load (or fetch from the cache) the form of a schema and optional UI hints. A schema
    path finds its NAME.ui.json beside it when ui is not given."""
    if not isinstance(schema, Mapping):
        path = Path(schema)
        name = name or path.name.removesuffix(".json")
        sibling = path.with_name(path.name.removesuffix(".json") + ".ui.json")
        if ui is None and sibling.exists():
            ui = sibling
    schema_data = _read_json(schema)
    ui_data = _read_json(ui) if ui is not None else None
    key = content_key(schema_data, ui_data)
    with _LOCK:
        cached = _CACHE.get((name, key))
        if cached is not None:
            return cached
    try:
        problems = schema_problems(schema_data) or ui_problems(ui_data or {}, schema_data)
        if problems:
            raise FormDefinitionError(
                "；".join(f"{p.pointer or '/'}: {p.message}" for p in problems[:10])
            )
        form = Form(schema_data, ui_data, name=name, key=key)
    except SchemaError as error:  # never a raw SchemaError: callers catch FormDefinitionError
        raise FormDefinitionError(str(error)) from None
    with _LOCK:
        form = _CACHE.setdefault((name, key), form)
        _BY_KEY.setdefault(key, form)
    return form


def form_by_key(key: str) -> Form | None:
    """A form loaded in this process, by content hash (for the htmx endpoints)."""
    with _LOCK:
        return _BY_KEY.get(key)


def _accept_schema(accept: list[str]) -> Schema:
    pattern = "|".join(
        re.escape(a[:-1]) + "[^/]+" if a.endswith("/*") else re.escape(a) for a in accept
    )
    return {"type": "string", "pattern": f"^({pattern})$", "x-accept": accept}


def attachment_schema(node: Schema, hint: dict[str, Any]) -> Schema:
    """Spell an x-attachment field out as the reference object the form stores, so that the
    size and type limits are plain JSON Schema checked by the same compiled validator."""
    declared = node["x-attachment"] if isinstance(node["x-attachment"], dict) else {}
    accept = list(hint.get("accept") or declared.get("accept") or DEFAULT_ACCEPT)
    limit = int(hint.get("max_size") or declared.get("max_size") or DEFAULT_MAX_SIZE)
    return {
        **node,
        "type": "object",
        "required": ["sha256", "filename", "size", "content_type"],
        "properties": {
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "filename": {"type": "string", "minLength": 1, "maxLength": 255},
            "size": {"type": "integer", "minimum": 1, "maximum": limit},
            "content_type": _accept_schema(accept),
        },
    }


def _spell_attachments(node: Any, path: str, ui: UiHints) -> Any:
    if isinstance(node, list):
        return [_spell_attachments(item, path, ui) for item in node]
    if not isinstance(node, dict):
        return node
    if "x-attachment" in node:
        return attachment_schema(node, ui.hint(path))
    result = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {
                n: _spell_attachments(v, f"{path}/{n}" if path else n, ui) for n, v in value.items()
            }
        elif key in ("$defs", "definitions"):
            result[key] = _spell_attachments(value, "", ui)
        else:
            result[key] = _spell_attachments(value, path, ui)
    return result


class Form:
    def __init__(self, schema: Schema, ui: dict[str, Any] | None, *, name: str, key: str) -> None:
        self.name = name
        self.key = key
        self.schema = schema
        self.ui = UiHints.from_json(ui)
        self.compiled: Schema = bound_numbers(
            _spell_attachments(copy.deepcopy(schema), "", self.ui)
        )
        self.doc = SchemaDoc(self.compiled)
        self.validator = self.doc.validator
        self.messages = Messages(self.doc, self.ui, self)
        self.has_files = "x-attachment" in json.dumps(schema)

    # --- lookups used by messages ---------------------------------------------------------

    def schema_at(self, path: str) -> Schema | None:
        return self.doc.schema_at(path)

    def title(self, path: str = "") -> str:
        if not path:
            return str(self.schema.get("title", self.name or "表单"))
        label = self.ui.hint(path).get("label")
        node = self.doc.schema_at(path)
        last = path.rpartition("/")[2]
        if label:
            return str(label)
        if node is not None and node.get("title"):
            suffix = f" {int(last) + 1}" if is_ascii_digits(last) else ""
            return str(node["title"]) + suffix
        if is_ascii_digits(last):  # a row: labelled as the form shows it, 「当事人 2」
            return f"{self.title(path.rpartition('/')[0])} {int(last) + 1}"
        return last

    # --- submission -----------------------------------------------------------------------

    def parse_submission(
        self,
        submitted: Any,
        *,
        previous: dict[str, Any] | None = None,
        attachments: Uploads | None = None,
    ) -> dict[str, Any]:
        """HTML form fields -> typed JSON. previous: the stored values (read-only fields keep
        them, an attachment field keeps its file); attachments: the submission's uploads
        (checked, staged, committed by the caller once the record is saved). Without it, file
        inputs are ignored and kept references are read from the hidden fields as sent: that
        is only for re-rendering a form, never for data to be saved."""
        return Parser(self.doc, self._file_reader(attachments), previous or {}).parse(submitted)

    def _file_reader(self, uploads: Uploads | None) -> FileReader:
        done: dict[int, Any] = {}  # the parser may visit a field twice; read each upload once

        def read(node: Schema, values: list[Any], raw: dict[str, Any], previous: Any) -> Any:
            files = [v for v in values if getattr(v, "filename", None)]
            if files and uploads is not None:
                if id(files[0]) not in done:
                    done[id(files[0])] = receive_upload(uploads, node, files[0])
                return done[id(files[0])]
            return kept_reference(uploads, raw, previous)

        return read

    def attachment_paths(self, data: Any, path: str = "") -> list[str]:
        """Paths of the attachment fields that `data` fills in (any depth)."""
        node = self.doc.schema_at(path) if path else None
        if path and isinstance(node, dict) and "x-attachment" in node:
            return [path] if data not in (None, "", {}) else []
        prefix = f"{path}/" if path else ""
        if isinstance(data, dict):
            items: Any = data.items()
        elif isinstance(data, list):
            items = enumerate(data)
        else:
            return []
        return [p for key, value in items for p in self.attachment_paths(value, f"{prefix}{key}")]

    def validate(self, data: dict[str, Any]) -> list[FieldError]:
        """Chinese errors, one per problem, in the order the fields appear on the form."""
        errors = self.messages.field_errors(self.validator.iter_errors(data), data)
        return sorted(errors, key=lambda error: position(self.field_order, error.path))

    @functools.cached_property
    def field_order(self) -> dict[str, dict[str, int]]:
        """For each object (generic path), the position of its fields on the page."""
        children: dict[str, list[str]] = {}
        for path in field_kinds(self.doc):
            parent, _, name = path.rpartition("/")
            children.setdefault(parent, []).append(name)
        order = {}
        for parent, names in children.items():
            names = self.ui.ordered(parent, names)
            if not parent:  # sections come first, as group_fields renders them
                sectioned = [n for s in self.ui.sections for n in s.fields if n in names]
                names = list(dict.fromkeys(sectioned)) + [n for n in names if n not in sectioned]
            order[parent] = {"_shape": -1} | {name: i for i, name in enumerate(names)}
        return order

    def apply_action(self, data: dict[str, Any], action: str) -> dict[str, Any]:
        """Apply a row button ("add:parties", "remove:parties/1") to parsed data."""
        return apply_action(copy.deepcopy(data), action, self.doc)

    # --- rendering ------------------------------------------------------------------------

    def fields(
        self,
        values: dict[str, Any] | None,
        errors: list[FieldError] | None,
        fresh: bool | None = None,
    ) -> list[Field]:
        """`fresh`: a first render, whose empty fields take the schema's defaults; by default
        a form rendered without values. A page that starts a form with some values of its own
        (the intake's channel and one empty party row) says fresh=True to keep the defaults."""
        by_path: dict[str, list[str]] = {}
        for error in errors or []:
            by_path.setdefault(error.path, []).append(error.message)
        builder = Builder(
            self.doc, self.ui, by_path, fresh=values is None if fresh is None else fresh
        )
        root = builder.build(self.compiled, "", "", values if values is not None else None)
        return root.children

    def view(
        self,
        values: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        fresh: bool | None = None,
        **options: Any,
    ) -> FormView:
        """The object the macros in forms/templates/forms/macros.html take."""
        fields = self.fields(values, errors, fresh)
        return FormView(
            key=self.key,
            title=self.title(""),
            description=str(self.schema.get("description", "")),
            groups=group_fields(fields, self.ui.sections),
            summary=summarise(fields, errors or []),
            multipart=self.has_files,
            refresh_url=options.pop("refresh_url", f"{REFRESH_BASE}/{self.key}/refresh"),
            **options,
        )

    def render(
        self,
        values: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        *,
        action: str = "",
        csrf_token: str = "",
        refresh_url: str | None = None,
    ) -> Markup:
        """The whole <form>; the error summary on top when errors are given."""
        options: dict[str, Any] = {"action": action, "csrf_token": csrf_token}
        if refresh_url is not None:
            options["refresh_url"] = refresh_url
        return render_template("forms/form.html", view=self.view(values, errors, **options))

    def render_body(self, values: dict[str, Any] | None, refresh_url: str | None = None) -> Markup:
        """Only the part htmx swaps (fields and summary), for the refresh endpoint."""
        options: dict[str, Any] = {} if refresh_url is None else {"refresh_url": refresh_url}
        return render_template("forms/body.html", view=self.view(values, None, **options))

    def display(
        self, values: dict[str, Any], *, reveal_sensitive: bool = False, download_url: str = ""
    ) -> Markup:
        """Read-only view for the case page. download_url: e.g. "/cases/7/files/{sha256}"."""
        view = self.view(values, None, reveal_sensitive=reveal_sensitive, download_url=download_url)
        return render_template("forms/display.html", view=view)


def receive_upload(uploads: Uploads, node: Schema, upload: Any) -> dict[str, Any]:
    """Check an uploaded file against its field's limits before anything is written (never
    reading more than the limit allows); `Uploads.receive` stages it only when it passes."""
    limit = int(node["properties"]["size"]["maximum"])
    accept = node["properties"]["content_type"].get("x-accept", DEFAULT_ACCEPT)
    stream = getattr(upload, "file", upload)
    content = stream.read(limit + 1)
    return uploads.receive(content, str(upload.filename), accept, limit)


def kept_reference(uploads: Uploads | None, raw: dict[str, Any], previous: Any) -> Any:
    """A file uploaded earlier, named by the hidden fields of a re-rendered form: with uploads,
    only this session's staged file or the record's own, described by the server."""
    digest = first_text(raw.get("sha256"))
    if digest and uploads is not None:
        return uploads.kept(digest, first_text(raw.get("filename")), previous)
    if digest:
        size = first_text(raw.get("size"))
        return {
            "sha256": digest,
            "filename": first_text(raw.get("filename")),
            "size": parse_int(size, 0, MAX_SIZE_BYTES) or 0,
            "content_type": first_text(raw.get("content_type")),
        }
    return previous if isinstance(previous, dict) else None


def position(order: dict[str, dict[str, int]], path: str) -> list[int]:
    """Sort key of an error path: field positions, row numbers as they are."""
    key: list[int] = []
    generic = ""
    for part in path.split("/") if path else []:
        if is_ascii_digits(part):
            key.append(int(part))
            continue
        key.append(order.get(generic, {}).get(part, len(order.get(generic, {}))))
        generic = f"{generic}/{part}" if generic else part
    return key
