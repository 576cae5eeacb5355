"""Round trip of the playground samples (tests/forms/playground/, after react-jsonschema-form's
playground): render a form with stored data, submit it unchanged as a browser would, parse it
as the server does when a record is edited; the data must come back unchanged, then survive
a JSON column on the backend under test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import forms
from tests.forms.browserlike import submitted

PLAYGROUND = Path(__file__).parent / "playground"
SAMPLES = sorted(p.stem for p in PLAYGROUND.glob("*.json"))
FILES = {
    "a.pdf": b"%PDF-1.7\n" + b"a" * 64,
    "b.png": b"\x89PNG\r\n\x1a\n" + b"b" * 64,
    "c.pdf": b"%PDF-1.7\n" + b"c" * 64,
    "d.pdf": b"%PDF-1.7\n" + b"d" * 64,
}


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PLAYGROUND / f"{name}.json").read_text("utf-8"))
    return loaded


def with_files(value: Any, store: forms.AttachmentStore) -> Any:
    """A "FILE:a.pdf" in a sample's data -> the reference of that file, stored."""
    if isinstance(value, str) and value.startswith("FILE:"):
        name = value.removeprefix("FILE:")
        return store.put(FILES[name], name).as_json()
    if isinstance(value, list):
        return [with_files(v, store) for v in value]
    if isinstance(value, dict):
        return {k: with_files(v, store) for k, v in value.items()}
    return value


REPRS = ("{'", "[{", ">True<", ">False<", ">None<", '"True"', '"None"')


def round_trip(form: forms.Form, data: dict[str, Any], store: forms.AttachmentStore) -> Any:
    html = form.render(data, action="/", csrf_token="t")
    uploads = forms.Uploads(store, owner="t")
    return form.parse_submission(submitted(html), previous=data, attachments=uploads)


def test_there_are_samples_of_every_playground_kind() -> None:
    assert len(SAMPLES) >= 25


@pytest.mark.parametrize("name", SAMPLES)
def test_playground_sample_round_trips(
    name: str,
    store: forms.AttachmentStore,
    saved: Callable[[forms.Form, dict[str, Any]], dict[str, Any]],
) -> None:
    case = sample(name)
    form = forms.load_form(case["schema"], case.get("ui"), name=f"playground-{name}")
    data = with_files(case["data"], store)
    assert form.validate(data) == [], "the sample's data must be valid"
    for html in (form.render(data), form.display(data)):  # values read as words, not reprs
        assert not [r for r in REPRS if r in html], html
    again = round_trip(form, data, store)
    assert again == data
    assert form.validate(again) == []
    assert saved(form, round_trip(form, saved(form, data), store)) == data
