"""Ledger cells (台账): formula escaping after OWASP's CSV injection guidance, and control
characters that XML cannot hold dropped at export (issue 16 points 5 and 9)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from engine.reports import ledgers

COLUMNS = (("v", "内容"),)
FORMULAS = (
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1)",
    '\t=HYPERLINK("http://evil/","点我")',
    "\r=1+2",
    "\n=1+5",
    " =1+3",
    "   @SUM(A1)",
    "＝1+2",
)


def csv_cells(values: list[str]) -> list[str]:
    text = ledgers.to_csv(COLUMNS, [{"v": v} for v in values]).decode("utf-8-sig")
    return [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]


@pytest.mark.parametrize("value", FORMULAS, ids=repr)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert csv_cells([value]) == ["'" + value]


def test_ordinary_text_and_numbers_are_unchanged():
    values = ["王小明", "1+2", "邻里纠纷 = 噪音", "a@b.cn"]
    assert csv_cells(values) == values
    sheet = load_workbook(io.BytesIO(ledgers.to_xlsx(COLUMNS, [{"v": 42}], "台账"))).active
    assert sheet["A2"].value == 42


def test_control_characters_do_not_break_the_xlsx_and_formulas_stay_text():
    rows = [{"v": "噪音\x01扰民\x1b"}, {"v": "=1+2"}, {"v": "\x00"}, {"v": "多行\n第二行\t制表"}]
    data = ledgers.to_xlsx(COLUMNS, rows, "台账")  # openpyxl raised IllegalCharacterError
    sheet = load_workbook(io.BytesIO(data)).active
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == [
        "噪音扰民",
        "'=1+2",
        None,
        "多行\n第二行\t制表",
    ]
    assert sheet["A3"].data_type == "s"  # text, not a formula
    assert "\x01" not in ledgers.to_csv(COLUMNS, rows).decode("utf-8-sig")
