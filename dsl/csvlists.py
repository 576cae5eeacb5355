"""Long lists of towns and villages from a CSV file (often exported from a spreadsheet).

Columns, by header: 名称 (or name), 层级 (level), 上级 (parent), 标签 (tags, separated by ; or 、).
Each row becomes a center declaration positioned at its row, so errors point into the CSV.
"""

from __future__ import annotations

import csv
import io

from lark import Token

from dsl.context import Context
from dsl.syntax import CenterDecl

HEADERS = {
    "名称": "name", "name": "name",
    "层级": "level", "level": "level",
    "上级": "parent", "parent": "parent",
    "标签": "tags", "tags": "tags",
    "全称": "label", "label": "label",
}  # fmt: skip
REQUIRED = ("name", "level", "parent")


def _token(value: str, line: int, column: int) -> Token:
    return Token("NAME", value, line=line, column=column)


def read_centers(ctx: Context, path: str, text: str) -> list[CenterDecl]:
    """Center declarations from one CSV file; problems are reported against that file."""
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:  # e.g. a cell longer than the csv module's limit
        ctx.report(
            None, f"无法读取中心名单：{error}", f"cannot read the center list: {error}", path=path
        )
        return []
    if not rows:
        ctx.report(None, "中心名单文件是空的", "the center list is empty", path=path)
        return []
    columns = [HEADERS.get(h.strip()) for h in rows[0]]
    absent = [c for c in REQUIRED if c not in columns]
    if absent:
        ctx.report(
            _token("", 1, 1),
            "中心名单第一行须为表头：名称,层级,上级,标签",
            "the first row of a center list must be the header: name,level,parent,tags",
            path=path,
        )
        return []
    centers = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells: dict[str, Token] = {}
        column = 1
        for kind, cell in zip(columns, row, strict=False):
            if kind:
                cells[kind] = _token(cell.strip(), number, column)
            column += len(cell) + 1
        if not cells.get("name"):
            ctx.report(_token("", number, 1), "此行缺少名称", "this row has no name", path=path)
            continue
        tags = cells.get("tags")
        tag_list = []
        if tags:
            for part in str(tags).replace("、", ";").replace("；", ";").split(";"):
                if part.strip():
                    tag_list.append(_token(part.strip(), number, tags.column or 1))
        label = cells.get("label")
        centers.append(
            CenterDecl(
                cells["name"],
                str(label) if label else None,
                cells.get("level") or None,
                cells.get("parent") or None,
                tag_list,
            )
        )
    return centers
