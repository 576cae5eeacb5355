"""Reading a national holiday file (CSV or JSON) into one schedule per year, or clear errors.

The format (docs/engine.md, "全国节假日表"): one row per day the State Council's notice names,

    年度,日期,类型,名称
    2027,2027-01-01,放假,元旦
    2027,2027-02-20,上班,春节

类型 is 放假 (a day off) or 上班 (a make-up working day, 调休上班; also written 调休上班 or
补班). 年度 is the notice's year; a notice may name the end of December before it. JSON is
the same rows: a list of objects with those keys, or {"说明": "...", "日期": [rows]}. Every
problem is reported with its row number, and a file with any problem imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.national_calendar import HOLIDAY, WORKDAY

COLUMNS = ("年度", "日期", "类型", "名称")
KINDS = {"放假": HOLIDAY, "休息": HOLIDAY, "上班": WORKDAY, "调休上班": WORKDAY, "补班": WORKDAY}
WEEKDAYS = "一二三四五六日"
MAX_BYTES = 256 * 1024  # a year is some thirty rows: anything this big is not a holiday file
FIRST_YEAR, LAST_YEAR = 2000, 2100


class HolidayFileError(ValueError):
    """The file cannot be imported; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class YearSchedule:
    year: int
    days: dict[date, tuple[str, str]] = field(default_factory=dict)  # day -> (类型, 名称)

    def stored(self) -> dict[str, list[str]]:
        """The JSON the table keeps (sorted, so that equal schedules compare equal)."""
        return {d.isoformat(): [k, n] for d, (k, n) in sorted(self.days.items())}


@dataclass(frozen=True)
class HolidayFile:
    schedules: dict[int, YearSchedule]
    notice: str


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayFileError(["文件不是 UTF-8 或 GBK 编码的文本"])


def read(name: str, data: bytes) -> HolidayFile:
    """Parse and check the whole file; raises HolidayFileError listing every problem."""
    if not data.strip():
        raise HolidayFileError(["文件是空的"])
    if len(data) > MAX_BYTES:
        raise HolidayFileError([f"文件太大（{len(data) // 1024} KB），节假日文件不应超过 256 KB"])
    text = _text(data)
    lower = name.lower()
    if lower.endswith(".json"):
        rows, notice = _json_rows(text)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        rows, notice = _csv_rows(text), ""
    else:
        raise HolidayFileError([f"只支持 .csv 或 .json 文件（收到「{name}」）"])
    return _check(rows, notice)


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        raise HolidayFileError(
            [f"第 1 行应为表头「{','.join(COLUMNS)}」，缺少列「{'」「'.join(missing)}」"]
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (
                number,
                {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)},
            )
        )
    return rows


def _json_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise HolidayFileError(
            [f"JSON 格式错误：第 {error.lineno} 行第 {error.colno} 列（{error.msg}）"]
        ) from None
    notice = ""
    if isinstance(loaded, dict):
        notice = str(loaded.get("说明") or "")[:500]
        loaded = loaded.get("日期")
    if not isinstance(loaded, list):
        raise HolidayFileError(["JSON 应为日期对象的列表，或含「日期」列表的对象"])
    rows = []
    for number, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            raise HolidayFileError([f"第 {number} 项不是对象（应含 年度、日期、类型、名称）"])
        rows.append((number, {k: str(v).strip() for k, v in item.items()}))
    return rows, notice


def _check(rows: list[tuple[int, dict[str, Any]]], notice: str) -> HolidayFile:
    problems: list[str] = []
    schedules: dict[int, YearSchedule] = {}
    first_row: dict[date, int] = {}
    for number, row in rows:
        where = f"第 {number} 行"
        year_text, day_text = row.get("年度", ""), row.get("日期", "")
        kind_text, name = row.get("类型", ""), row.get("名称", "")[:40]
        if not (year_text.isdigit() and FIRST_YEAR <= int(year_text) <= LAST_YEAR):
            problems.append(f"{where}：年度「{year_text}」应为 {FIRST_YEAR}–{LAST_YEAR} 的年份")
            continue
        year = int(year_text)
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            problems.append(f"{where}：日期「{day_text}」无效，应写成 2027-01-01 的样子")
            continue
        kind = KINDS.get(kind_text)
        if kind is None:
            problems.append(f"{where}：类型「{kind_text}」无效，应为「放假」或「上班」")
            continue
        if not (day.year == year or (day.year == year - 1 and day.month == 12)):
            problems.append(f"{where}：日期 {day} 不属于 {year} 年度的安排（可含上一年 12 月）")
            continue
        if kind == HOLIDAY and not name:
            problems.append(f"{where}：放假日要写明节日名称（如 春节）")
            continue
        if kind == WORKDAY and day.isoweekday() <= 5:
            weekday = WEEKDAYS[day.weekday()]
            problems.append(f"{where}：{day} 是星期{weekday}，本来就上班，不能作为调休上班日")
            continue
        if day in first_row:
            problems.append(f"{where}：日期 {day} 重复（第 {first_row[day]} 行已有）")
            continue
        first_row[day] = number
        schedules.setdefault(year, YearSchedule(year)).days[day] = (kind, name)
    if not rows:
        problems.append("文件里没有任何日期")
    for year, schedule in sorted(schedules.items()):
        if not any(kind == HOLIDAY for kind, _ in schedule.days.values()):
            problems.append(f"{year} 年度没有一个放假日：请检查文件是否完整")
    if problems:
        raise HolidayFileError(problems)
    return HolidayFile(schedules, notice)
