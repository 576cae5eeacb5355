# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""One decorator for every step: registers the Chinese and the English wording with pytest-bdd
and keeps a catalogue, so docs/acceptance.md is generated from the same source it documents.

Pattern notation (what implementers see in the reference): `"{名}"` is a quoted value (ASCII
quotes, “” or 「」 all work), `{n}` a number, `<单位>` a word or two, `[text]` optional text; a trailing `：`/`:`
means the step takes a data table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from pytest_bdd import parsers, step

F = TypeVar("F", bound=Callable[..., Any])

# Each kind of quote closes only itself, so "不满足「交信访局」的条件" is one value and
# "新华街道" 在 "2026-11" is two; the alternatives' groups are merged by `Pattern`.
_QUOTED = '(?:"(?P<{name}__a>[^"]*)"|“(?P<{name}__b>[^”]*)”|「(?P<{name}__c>[^」]*)」)'
_NUMBER = r"(?P<{name}>\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class Phrase:
    group: str  # the reference section: 准备/受理/办理/时间/检查/统计
    zh: str
    en: str
    doc: str  # what the step does, in Chinese
    example_zh: str
    example_en: str
    table: str = ""  # the data table it takes, if any


CATALOGUE: list[Phrase] = []


TOKEN = re.compile(r'"\{([^}]+)\}"|\{([^}]+)\}|<([^>]+)>|\[([^\]]*)\]')
INNER = re.compile(r'"\{([^}]+)\}"|\{([^}]+)\}|<([^>]+)>')
_WORDS = r"(?P<{name}>\S.*?)"


def params(pattern: str) -> list[str]:
    """The parameter names of a pattern, in order ("{显示名=param}" names its parameter)."""
    found = INNER.findall(pattern)
    return [next(p for p in parts if p).split("=")[-1] for parts in found]


def shown(pattern: str) -> str:
    """The pattern as the reference shows it (without "=param")."""
    return re.sub(r"=[A-Za-z_]\w*([}>])", r"\1", pattern)


def to_regex(pattern: str, names: list[str]) -> str:
    """Turn the readable notation into a full-match regular expression whose groups are
    `names` in order (a "{显示名=param}" placeholder names its own group)."""
    counter = iter(names)
    return _build(pattern, counter)


def _build(pattern: str, names: Iterator[str]) -> str:
    out: list[str] = []
    position = 0
    for match in TOKEN.finditer(pattern):
        out.append(_literal(pattern[position : match.start()]))
        quoted, number, words, optional = match.groups()
        if quoted or number or words:
            label = quoted or number or words
            name = next(names)
            name = label.split("=")[1] if "=" in label else name
            shape = _QUOTED if quoted else _NUMBER if number else _WORDS
            out.append(shape.format(name=name))
        else:
            out.append(f"(?:{_build(optional, names)})?")
        position = match.end()
    out.append(_literal(pattern[position:]))
    return "".join(out)


def _literal(text: str) -> str:
    """Literal text; any run of spaces matches any spacing, and ：/: and ，/, are interchangeable."""
    parts = []
    for char in text:
        if char == " ":
            parts.append(r"\s*")
        elif char in "：:":
            parts.append("[：:]")
        elif char in "，,":
            parts.append(r"[，,]\s*")
        else:
            parts.append(re.escape(char))
    return re.sub(r"(\\s\*)+", r"\\s*", "".join(parts))


class Pattern(parsers.re):
    """A full-match regex whose alternative quote groups (name__a/__b/__c) give one argument."""

    def parse_arguments(self, name: str) -> dict[str, Any] | None:
        found = self.regex.fullmatch(name)
        return None if found is None else merge(found.groupdict())


def merge(groups: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key, value in groups.items():
        base = key.split("__")[0]
        if value is not None or base not in merged:
            merged[base] = value
    return merged


def arguments(pattern: str, names: list[str], text: str) -> dict[str, Any] | None:
    """The step's arguments when `text` matches `pattern` (tests and tools use it)."""
    return Pattern(to_regex(pattern, names)).parse_arguments(text)


def phrase(
    group: str,
    zh: str,
    en: str,
    *,
    doc: str,
    example_zh: str,
    example_en: str,
    table: str = "",
) -> Callable[[F], F]:
    """Register `func` as the step for both wordings (any keyword: 假如/当/那么/而且 ...)."""

    def decorate(func: F) -> F:
        CATALOGUE.append(Phrase(group, zh, en, doc, example_zh, example_en, table))
        names = params(en)
        for pattern in (zh, en):
            # stacklevel 2: pytest-bdd puts the step fixture into the module calling `phrase`.
            step(Pattern(to_regex(pattern, names)), stacklevel=2)(func)
        return func

    return decorate
