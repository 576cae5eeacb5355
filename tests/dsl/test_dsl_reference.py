"""docs/language.md documents every keyword and symbol of the grammar."""

from __future__ import annotations

import re
from pathlib import Path

from lark.lexer import PatternStr

from dsl.parser import lark_parser

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def grammar_literals() -> set[str]:
    return {t.pattern.value for t in lark_parser().terminals if isinstance(t.pattern, PatternStr)}


def test_every_grammar_keyword_is_in_the_reference() -> None:
    documented = set(re.findall(r"`([^`\n]+)`", REFERENCE.read_text(encoding="utf-8")))
    literals = grammar_literals()
    assert {"县区", "county", "当日下班前", "end_of_workday", "->"} <= literals
    missing = sorted(literals - documented)
    assert missing == [], f"docs/language.md 缺少关键字：{missing}"
