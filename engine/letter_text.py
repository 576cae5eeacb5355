"""Filling in a letter: its number from the kind's pattern, its body from the kind's paragraphs.

Placeholders are `{name}` (dsl/letters.py lists them and `yidi check` refuses any other). The
result is plain text, stored with the letter as issued (a letter is a document: later edits to
the case or the definition do not rewrite it); the web escapes it when it shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone

from dsl.letters import CASE_FIELDS, DATA_PREFIX, LETTER_FIELDS, NUMBER_FIELDS, PLACEHOLDER
from dsl.model import LetterKind

CST = timezone(timedelta(hours=8))
EMPTY = "——"  # a case fact the case does not have (a field left blank at intake)


def chinese_date(moment: datetime | date) -> str:
    """2026年12月6日 (China Standard Time), as letters are dated."""
    day = moment.astimezone(CST).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def number(kind: LetterKind, year: int, serial: int) -> str:
    """孝综督函〔{年}〕{号}号 -> 孝综督函〔2026〕12号."""
    values = {"year": str(year), "serial": str(serial)}
    return PLACEHOLDER.sub(lambda m: values[NUMBER_FIELDS[m.group(1)]], kind.number_pattern)


def _value(name: str, facts: Mapping[str, str], data: Mapping[str, object]) -> str:
    key = LETTER_FIELDS.get(name) or CASE_FIELDS.get(name)
    if key == "reason":
        return facts.get(key, "")  # the issuer may leave it out: no placeholder mark then
    if key is not None:
        return facts.get(key) or EMPTY
    field = name.removeprefix(DATA_PREFIX)
    value = data.get(field)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | dict):
        return EMPTY  # structured fields (parties, location) have their own placeholders
    return str(value)


def body(kind: LetterKind, facts: Mapping[str, str], data: Mapping[str, object]) -> str:
    """The kind's paragraphs filled in, one paragraph per line."""
    return "\n".join(
        PLACEHOLDER.sub(lambda m: _value(m.group(1), facts, data), paragraph)
        for paragraph in kind.body
    )
