"""What the semantic passes share: the diagnostics collected so far and reference checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lark import Token

from dsl.diagnostics import Diagnostic, Severity, suggestion


@dataclass
class Context:
    """Collects every problem of one compilation; nothing here ever raises."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    path: str = ""  # the file being checked right now
    home: str = ""  # where problems of the county as a whole are reported

    def report(
        self,
        at: Token | None,
        zh: str,
        en: str,
        hint: tuple[str, str] = ("", ""),
        severity: Severity = "error",
        path: str | None = None,
    ) -> None:
        line = (at.line if at is not None else None) or 1
        column = (at.column if at is not None else None) or 1
        self.diagnostics.append(
            Diagnostic(path or self.path, line, column, severity, zh, en, hint[0], hint[1])
        )

    def warn(self, at: Token | None, zh: str, en: str) -> None:
        self.report(at, zh, en, severity="warning")

    def known(
        self, name: Token | None, table: Mapping[str, Any] | Iterable[str], what: tuple[str, str]
    ) -> bool:
        """True when `name` is defined; otherwise reports it, with a did-you-mean hint."""
        if name is None:
            return False
        keys = list(table)
        if str(name) in keys:
            return True
        close = suggestion(str(name), keys)
        hint = (f"您是不是要写「{close}」？", f"did you mean '{close}'?") if close else ("", "")
        where = (
            (f"（找不到 forms/{name}.json）", f" (no forms/{name}.json)")
            if what == FORM
            else ("", "")
        )
        self.report(
            name,
            f"未定义的{what[0]}「{name}」{where[0]}",
            f"undefined {what[1]} '{name}'{where[1]}",
            hint,
        )
        return False

    def unique(self, name: Token, seen: dict[str, tuple[str, int]], what: tuple[str, str]) -> bool:
        """Reports a second definition of the same name; True when the name is new."""
        key = str(name)
        if key in seen:
            first_path, first_line = seen[key]
            self.report(
                name,
                f"{what[0]}「{key}」重复定义（第一次定义在 {first_path} 第{first_line}行）",
                f"duplicate {what[1]} '{key}' (first defined at {first_path} line {first_line})",
            )
            return False
        seen[key] = (self.path, name.line or 1)
        return True

    def missing(self, at: Token | None, zh: str, en: str) -> None:
        self.report(at, f"缺少{zh}", f"missing {en}")


LEVEL = ("层级", "level")
CENTER = ("中心", "center")
ROLE = ("角色", "role")
OFFICE = ("单位", "office")
STUDIO = ("工作室", "studio")
WINDOW = ("窗口", "window")
CATEGORY = ("事项类型", "category")
SEVERITY = ("等级", "severity grade")
CHANNEL = ("渠道", "channel")
PROCESS = ("流程", "process")
STEP = ("步骤", "step")
ACTION = ("动作", "action")
CALENDAR = ("日历", "calendar")
FORM = ("表单", "form")
DIVERSION = ("引导去向", "diversion")
COLOUR = ("颜色", "colour")
TAG = ("标签", "tag")
