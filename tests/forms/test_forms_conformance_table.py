"""docs/forms.md, "Rendered and round trip": each keyword's cells must be what the playground
samples that use it show (tests/forms/playground/), and every keyword of the samples must
have its row."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import forms
from forms.shapes import option_text, readable
from tests.forms.test_forms_roundtrip import SAMPLES, round_trip, sample, with_files

DOC = Path(__file__).parents[2] / "docs" / "forms.md"
SECTION = "## Rendered and round trip"
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
TIME = re.compile(r"\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
NAMES = ("properties", "$defs", "patternProperties", "dependentSchemas", "dependentRequired")
DATA = ("enum", "const", "default", "required", "examples", "x-attachment")


def table() -> dict[str, tuple[str, str]]:
    text = DOC.read_text("utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\S+) \| (\S+) \|$", text, re.M)
    return {keyword: (rendered, trips) for keyword, rendered, trips in rows}


def keywords(node: Any) -> Iterator[str]:
    """Keywords used anywhere in a schema (not property names, not enum/const data)."""
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


def test_every_keyword_of_the_samples_has_a_row() -> None:
    assert sorted(set(used_by()) - set(table())) == []


def test_cells_say_what_the_samples_show(results: dict[str, tuple[bool, bool]]) -> None:
    users = used_by()
    wrong = []
    for keyword, (rendered, trips) in table().items():
        names = users.get(keyword, [])
        assert names, f"{keyword}: no playground sample uses it, so nothing backs its cells"
        really = ["是" if all(results[n][i] for n in names) else "否" for i in (0, 1)]
        if [rendered, trips] != really:
            failing = [n for n in names if not all(results[n])]
            wrong.append(f"{keyword}: table {rendered}/{trips}, samples {really} ({failing})")
    assert wrong == []
