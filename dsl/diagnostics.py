"""Diagnostics: what `yidi check` tells an administrator, in Chinese (or English), with a caret.

Columns are counted in characters (1-based); the caret under the source line is placed by display
width, because a Chinese character takes two columns in a terminal.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: Severity
    message: str  # Chinese
    message_en: str
    hint: str = ""  # e.g. "您是不是要写「调解员」？"
    hint_en: str = ""

    def text(self, lang: str = "zh") -> str:
        if lang == "en":
            return self.message_en + (f" ({self.hint_en})" if self.hint_en else "")
        return self.message + (f"（{self.hint}）" if self.hint else "")


class DefinitionError(Exception):
    """A county definition has errors; `.diagnostics` holds all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        first = errors[0] if errors else None
        where = f"{first.path}:{first.line}:{first.column}: {first.message}" if first else ""
        super().__init__(f"定义有 {len(errors)} 处错误；{where}")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def caret_line(source_line: str, column: int) -> str:
    """Spaces (tabs kept as tabs) as wide as the text before `column`, then a caret."""
    pad = []
    for ch in source_line[: max(column - 1, 0)]:
        pad.append("\t" if ch == "\t" else " " * display_width(ch))
    return "".join(pad) + "^"


def format_diagnostic(d: Diagnostic, files: Mapping[str, str], lang: str = "zh") -> str:
    """`path:line:col: message`, the source line, and a caret under the problem."""
    head = f"{d.path}:{d.line}:{d.column}: "
    head += ("warning: " if lang == "en" else "警告: ") if d.severity == "warning" else ""
    out = head + d.text(lang)
    lines = files.get(d.path, "").splitlines()
    if 1 <= d.line <= len(lines):
        source = lines[d.line - 1]
        out += "\n" + source + "\n" + caret_line(source, d.column)
    return out


def suggestion(word: str, known: Iterable[str]) -> str:
    """The closest known name, or "" when nothing is close enough."""
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.5)
    return matches[0] if matches else ""


def sort_key(d: Diagnostic) -> tuple[str, int, int]:
    return (d.path, d.line, d.column)
