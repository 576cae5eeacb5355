"""Reading town/village lists and staff lists from CSV or XLSX, row by row, before saving.

Nothing here writes: `read_table` turns an upload into rows, the `check_*` functions attach
each row's problems (in Chinese, with the spreadsheet's own row number), and the pages save
only after the administrator has seen the preview.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CENTER_COLUMNS = ("名称", "层级", "上级", "标签")
STAFF_COLUMNS = ("用户名", "姓名", "中心", "单位", "窗口", "角色")
MAX_ROWS = 5000  # a county has a few hundred villages and staff; more is a wrong file
MAX_BYTES = 5_000_000
NAME = re.compile(r"^[\w\-（）()·]{1,50}$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, too big)."""


@dataclass
class Row:
    number: int  # the row number the administrator sees in the spreadsheet (header = 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(filename: str, data: bytes, columns: tuple[str, ...]) -> list[Row]:
    """Rows of a CSV (UTF-8 or GBK, as Excel saves it) or XLSX file with the given header."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("文件太大（超过 5 MB）")
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif lowered.endswith(".csv"):
        table = list(csv.reader(io.StringIO(_decode(data))))
    else:
        raise ImportFileError("只能导入 .csv 或 .xlsx 文件")
    table = [r for r in table if any(cell.strip() for cell in r)]
    if not table:
        raise ImportFileError("文件是空的")
    header = [cell.strip() for cell in table[0]]
    missing = [c for c in columns if c not in header and c not in ("标签", "单位", "窗口")]
    if missing:
        raise ImportFileError(
            f"第 1 行应为表头，缺少列：{'、'.join(missing)}（应包含：{'、'.join(columns)}）"
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"行数太多（超过 {MAX_ROWS} 行）")
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {
            c: (raw[header.index(c)].strip() if c in header and header.index(c) < len(raw) else "")
            for c in columns
        }
        rows.append(Row(number, values))
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码（请保存为 UTF-8 或 GBK 编码的 CSV）")


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise ImportFileError("无法读取该 Excel 文件（请另存为 .xlsx 后重试）") from error
    try:
        sheet = book.worksheets[0]
        return [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


# --- towns and villages -------------------------------------------------------------------


def _level_key(county: Any, text: str) -> str | None:
    for level in county.levels.values():
        if text in (level.key, level.name):
            return str(level.key)
    return None


def check_centers(county: Any, rows: list[Row]) -> list[Row]:
    """Each row a new center under an existing one (or one earlier in the file)."""
    known = {key: c.level for key, c in county.centers.items()}
    ranks = {key: lv.rank for key, lv in county.levels.items()}
    for row in rows:
        name, parent = row.values["名称"], row.values["上级"]
        level = _level_key(county, row.values["层级"])
        if not name:
            row.errors.append("缺少名称")
        elif not NAME.fullmatch(name):
            row.errors.append(f"名称“{name[:60]}”含有不能使用的字符或超过 50 字")
        elif name in known:
            row.errors.append(f"“{name}”已经存在（名称不能重复）")
        if level is None:
            row.errors.append(f"层级“{row.values['层级']}”不存在（可用：{'、'.join(ranks)}）")
        if not parent:
            row.errors.append("缺少上级中心")
        elif parent not in known:
            row.errors.append(f"上级“{parent}”不存在（须为已有中心或本文件中靠前的行）")
        elif level is not None and ranks.get(known[parent], -1) >= ranks[level]:
            row.errors.append(f"上级“{parent}”的层级不高于“{row.values['层级']}”")
        for tag in _tags(row.values.get("标签", "")):
            if not NAME.fullmatch(tag):
                row.errors.append(f"标签“{tag[:30]}”含有不能使用的字符")
        if row.ok and level is not None:
            known[name] = level
    return rows


def _tags(text: str) -> list[str]:
    return [t for t in re.split(r"[，,、;；\s]+", text) if t]


def centers_csv(existing: str, rows: Iterable[Row]) -> str:
    """The centre list file with the good rows appended (header written when new)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not existing.strip():
        writer.writerow(CENTER_COLUMNS)
    for row in rows:
        if row.ok:
            v = row.values
            writer.writerow([v["名称"], v["层级"], v["上级"], "、".join(_tags(v.get("标签", "")))])
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + out.getvalue()


# --- staff --------------------------------------------------------------------------------


def check_staff(county: Any, rows: list[Row], taken: set[str]) -> list[Row]:
    """Each row one account with one membership; usernames unique here and in the database."""
    from admin.accounts import MembershipSpec
    from admin.console.people import USERNAME, membership_problems

    seen: set[str] = set()
    for row in rows:
        v = row.values
        if not USERNAME.fullmatch(v["用户名"]):
            row.errors.append("用户名须为 2–40 个字母、数字、下划线、点或连字符")
        elif v["用户名"] in taken or v["用户名"] in seen:
            row.errors.append(f"用户名“{v['用户名']}”已被使用")
        if not v["姓名"]:
            row.errors.append("缺少姓名")
        spec = MembershipSpec(v["中心"], v["角色"], v.get("单位") or None, v.get("窗口") or None)
        row.errors.extend(membership_problems(county, spec))
        seen.add(v["用户名"])
    return rows
