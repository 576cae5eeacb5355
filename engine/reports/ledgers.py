"""Ledgers (台账): any list as CSV or XLSX with Chinese headers.

CSV starts with a byte-order mark so that Excel opens the Chinese text as UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Columns = Sequence[tuple[str, str]]  # (row key, Chinese header)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000  # a county-year of cases; beyond it, narrow the period


# OWASP's CSV injection guidance: a cell a spreadsheet would read as a formula starts with
# = + - @, a tab or a carriage return (we add line feed, and the full-width forms a Chinese
# input method types), possibly after spaces: such a cell gets a leading apostrophe.
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
# Control characters neither XML (so XLSX) nor a spreadsheet can hold: dropped at export.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _cell(value: Any) -> Any:
    """Text cells stay text: no control characters, and nothing a spreadsheet would run."""
    if not isinstance(value, str):
        return value
    value = CONTROL.sub("", value)
    if value.lstrip(" ")[:1] in FORMULA_START or value[:1] in FORMULA_START:
        return "'" + value
    return value


def to_csv(columns: Columns, rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        writer.writerow([_cell(row.get(key, "")) for key, _ in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Columns, rows: Iterable[Mapping[str, Any]], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append([header for _, header in columns])
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        sheet.append([_cell(row.get(key, "")) for key, _ in columns])
    for index, _ in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet name."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "台账")[:31]
