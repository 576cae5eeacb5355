"""docs/forms.md's conformance table says what the JSON Schema Test Suite shows: one row per
suite file, and its 'validated' column is what running the suite through forms gives."""

from __future__ import annotations

from pathlib import Path

from tests.forms.jsonschema_suite import validated_column

DOC = Path(__file__).resolve().parents[2] / "docs" / "forms.md"


def table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split("<!-- conformance:start -->")[1].split("<!-- conformance:end -->")[0]
    rows = {}
    for line in body.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_suite_file_has_a_row_with_three_columns() -> None:
    rows = table()
    assert set(rows) == set(validated_column())
    assert all(len(cells) == 3 for cells in rows.values())


def test_the_validated_column_is_what_the_suite_shows() -> None:
    measured = validated_column()
    documented = {keyword: cells[0] for keyword, cells in table().items()}
    assert documented == measured
