"""Bad input never crashes the checker: random and mutated definitions give diagnostics."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dsl_samples import BASE, county_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.lexer import PatternStr

import dsl
from dsl.parser import lark_parser

XIAOGAN = (Path(__file__).resolve().parents[2] / "definitions" / "xiaogan" / "county.yd").read_text(
    encoding="utf-8"
)
WORDS = sorted(
    {t.pattern.value for t in lark_parser().terminals if isinstance(t.pattern, PatternStr)}
    | {"司法所", "调度员", "12345", "3", "0.5", "80%", "2026-02-30", "25:99"}
    | {'"', "“", "\n", "\t", "{", "}"}
)  # fmt: skip
HANG_GUARD_SECONDS = 30  # far above any real compile; only a hang would reach it


@contextmanager
def hang_guard() -> Iterator[None]:
    def fail(signum: int, frame: object) -> None:
        raise AssertionError("the checker did not finish: it hangs on this input")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG_GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_gives_an_answer(files: dict[str, str]) -> None:
    with hang_guard():
        result = dsl.compile_files("fuzz", files)
    if result.county is None:
        assert result.errors, "no county but no error either"
    for d in result.diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.message and d.message_en
        dsl.format_diagnostic(d, files)
        dsl.format_diagnostic(d, files, lang="en")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from([BASE, XIAOGAN])).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "cut", "swap"]))
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "insert":
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))
            spot = draw(st.integers(0, len(line)))
            lines[index] = line[:spot] + " ".join(words) + line[spot:]
        elif kind == "cut":
            start = draw(st.integers(0, len(line)))
            lines[index] = line[:start] + line[draw(st.integers(start, len(line))) :]
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], line
        if not lines:
            lines = [""]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@SETTINGS
@given(mutated())
def test_mutated_definitions_give_diagnostics_not_exceptions(text: str) -> None:
    check_gives_an_answer(county_files(text))


@SETTINGS
@given(st.lists(st.sampled_from([*WORDS, "中", "a", "1", ",", "#"]), max_size=60).map(" ".join))
def test_random_token_soup(text: str) -> None:
    check_gives_an_answer(county_files(text))


@SETTINGS
@given(st.text(max_size=120), st.text(max_size=80))
def test_random_text_forms_and_csv(text: str, other: str) -> None:
    files = county_files(BASE + '中心名单 "towns.csv"\n' + text)
    files["forms/受理.json"] = other
    files["towns.csv"] = other
    check_gives_an_answer(files)


def test_absurdly_deep_nesting_is_an_error_not_a_crash() -> None:
    categories = "事项类型 " + "甲{ " * 3000 + "乙" + " }" * 3000 + "\n"
    condition = "(" * 3000 + "数据.a == 1" + ")" * 3000
    for text in (
        BASE + categories,
        BASE.replace("动作 化解 办结", "动作 化解 办结 当 " + condition),
    ):
        check_gives_an_answer(county_files(text))


def test_deeply_nested_form_json_is_an_error_not_a_crash() -> None:
    files = county_files(**{"forms__受理_dot_json": "[" * 100_000})
    check_gives_an_answer(files)
    assert dsl.compile_files("t", files).errors[0].message == "JSON 嵌套层数过多"
