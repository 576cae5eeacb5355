"""Checking a working copy exactly as `yidi check` does, and placing each problem at its line.

The console never has its own notion of a mistake: it compiles the files with the language's
compiler (`dsl.compile_files`) and shows the diagnostics it returns, so the browser and the
command line always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dsl
from engine import national_calendar


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    message: str  # the Chinese message `yidi check` prints, with its hint
    listing: str  # path:line:col: message, the source line and a caret


@dataclass
class CheckResult:
    county: Any  # dsl.model.County, or None when the files have errors
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.county is not None and not self.errors

    def in_file(self, path: str) -> list[Problem]:
        return [p for p in self.problems if p.path == path]

    def other_files(self, path: str) -> list[Problem]:
        return [p for p in self.problems if p.path != path]


# --- warnings about the instance (begin: i18gaps) --------------------------------------------
# `yidi check` adds warnings about the instance rather than the files (dsl.cli.INSTANCE_WARNINGS:
# the national holiday table's coverage). The versions page adds the same ones, read from this
# server's database and clock, so the page and the command count the same warnings.


def with_instance_warnings(result: CheckResult, db: Any, today: date) -> CheckResult:
    """`result` with the instance's warnings added (no file, no line: they are about the
    server's data, not the definition)."""

    with db.connect() as conn:
        snapshot = national_calendar.load(conn)  # read now: an import shows at once
    found = national_calendar.coverage_warning(snapshot, today)
    extra = [Problem("", 0, 0, "warning", found, found)] if found else []
    return CheckResult(result.county, [*result.problems, *extra])


# --- (end: i18gaps) ---------------------------------------------------------------------------


def check(county_key: str, files: Mapping[str, str]) -> CheckResult:
    """Compile the files; every diagnostic becomes a Problem (never an exception)."""
    result = dsl.compile_files(county_key, dict(files))
    problems = [
        Problem(
            path=d.path,
            line=d.line,
            column=d.column,
            severity=d.severity,
            message=d.text("zh"),
            listing=dsl.format_diagnostic(d, files, "zh"),
        )
        for d in sorted(result.diagnostics, key=lambda d: (d.path, d.line, d.column))
    ]
    return CheckResult(result.county, problems)


@dataclass(frozen=True)
class EditorLine:
    number: int
    problems: tuple[Problem, ...]

    @property
    def severity(self) -> str:
        kinds = {p.severity for p in self.problems}
        return "error" if "error" in kinds else ("warning" if kinds else "")

    @property
    def message(self) -> str:
        return "；".join(p.message for p in self.problems)


def editor_lines(text: str, problems: list[Problem]) -> list[EditorLine]:
    """One entry per line of the text (the gutter and the message column), problems attached.

    A problem placed past the last line (an unexpected end of file) is shown on the last line.
    """
    count = max(1, text.count("\n") + 1)
    by_line: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_line[min(max(problem.line, 1), count)].append(problem)
    return [EditorLine(n, tuple(by_line.get(n, ()))) for n in range(1, count + 1)]
