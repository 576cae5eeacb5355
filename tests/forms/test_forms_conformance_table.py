"""docs/forms.md's conformance table, columns `rendered` and `round-trips`: for each suite
file's keyword, what the playground samples that use it show (tests/forms/playground/).
`rendered`: the form filled with a sample's stored data shows every stored value; `round-trips`:
submitting it unchanged as a browser would and parsing it gives the data back. "yes" when
every sample using the keyword does, "no" when one does not, "—" when no sample uses it (the
`validated` column is test_forms_docs_conformance.py's)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

import forms
from forms.shapes import option_text, readable
from tests.forms.test_forms_docs_conformance import table
from tests.forms.test_forms_roundtrip import SAMPLES, round_trip, sample, with_files

DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
TIME = re.compile(r"\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
NAMES = ("properties", "$defs", "patternProperties", "dependentSchemas", "dependentRequired")
DATA = ("enum", "const", "default", "required", "examples", "x-attachment")
# Suite files named otherwise than the keyword a schema spells.
SPELLED = {
    "if-then-else": "if",
    "ref": "$ref",
    "defs": "$defs",
    "anchor": "$anchor",
    "dynamicRef": "$dynamicRef",
    "content": "contentMediaType",
}


def keywords(node: Any) -> Iterator[str]:
    """Keywords used anywhere in a schema (not property names, not enum/const data); a
    subschema that is true or false counts as "boolean_schema"."""
    if isinstance(node, bool):
        yield "boolean_schema"
    if isinstance(node, list):
        for item in node:
            yield from keywords(item)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        yield key
        if key in NAMES and isinstance(value, dict):
            for sub in value.values():
                yield from keywords(sub)
        elif key not in DATA:
            yield from keywords(value)


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict) and "sha256" in value:
        yield value["filename"]  # a stored file is shown by its name
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield value


def shown(text: str, leaf: Any) -> bool:
    if isinstance(leaf, str) and DATE_TIME.fullmatch(leaf):
        leaf = leaf[:16]  # datetime-local, China time (the samples are stored in +08:00)
    elif isinstance(leaf, str) and TIME.fullmatch(leaf):
        leaf = leaf[:5]
    return any(form in text for form in {str(leaf), option_text(leaf), readable(leaf)})


def outcome(name: str, store: forms.AttachmentStore) -> tuple[bool, bool]:
    case = sample(name)
    form = forms.load_form(case["schema"], case.get("ui"), name=f"playground-{name}")
    data = with_files(case["data"], store)
    text = html.unescape(str(form.render(data)))
    rendered = all(shown(text, leaf) for leaf in leaves(data))
    return rendered, round_trip(form, data, store) == data


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, bool]]:
    store = forms.AttachmentStore(tmp_path_factory.mktemp("conformance"))
    return {name: outcome(name, store) for name in SAMPLES}


def used_by() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in SAMPLES:
        for keyword in set(keywords(sample(name)["schema"])):
            found.setdefault(keyword, []).append(name)
    return found


def test_rendered_and_round_trip_columns_say_what_the_samples_show(
    results: dict[str, tuple[bool, bool]],
) -> None:
    users = used_by()
    wrong = []
    for suite_file, cells in table().items():
        names = users.get(SPELLED.get(suite_file, suite_file), [])
        if not names:
            really = ["—", "—"]
        else:
            really = ["yes" if all(results[n][i] for n in names) else "no" for i in (0, 1)]
        if cells[1:] != really:
            failing = [n for n in names if not all(results[n])]
            wrong.append(f"{suite_file}: table {cells[1:]}, samples say {really} ({failing})")
    assert wrong == []


def test_every_sample_is_counted() -> None:
    """Every sample uses some keyword of the table, so a sample that fails shows somewhere."""
    rows = {SPELLED.get(f, f) for f in table()}
    assert all(set(keywords(sample(n)["schema"])) & rows for n in SAMPLES)
