"""Parsing one definition file: Lark LALR, with every syntax error turned into a Chinese message.

Errors are collected, not raised: after an error the offending token is dropped and parsing goes
on, so one run reports the problems of every line (one per line, to avoid cascades).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lark import Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr
from lark.parsers.lalr_interactive_parser import InteractiveParser

from dsl.diagnostics import Diagnostic, suggestion
from dsl.syntax import FileSyntax
from dsl.transform import ToSyntax

GRAMMAR = Path(__file__).with_name("yidi.lark")

# How a terminal that is not a plain word is named in a message.
TERMINAL_NAMES = {
    "NAME": ("名称", "a name"),
    "STRING": ("带引号的文字", "a quoted text"),
    "NUMBER": ("数字", "a number"),
    "DATE": ("日期（如 2026-10-01）", "a date (e.g. 2026-10-01)"),
    "TIME": ("时刻（如 8:30）", "a time (e.g. 8:30)"),
    "OP": ("比较符号（== != < <= > >=）", "a comparison (== != < <= > >=)"),
    "_NL": ("换行", "a line break"),
    "_SEP": ("逗号", "a comma"),
    "$END": ("文件结尾", "the end of the file"),
}
MAX_SHOWN = 10

# Full-width punctuation a Chinese input method types where the language wants the half-width
# sign. Outside quoted text and comments each is reported once and read as its half-width twin,
# so that one slip does not also cause a cascade of follow-on errors.
FULL_WIDTH = {
    "｛": "{", "｝": "}", "（": "(", "）": ")", "［": "[", "］": "]", "【": "[", "】": "]",
    "＝": "=", "＞": ">", "＜": "<", "！": "!", "．": ".", "－": "-", "～": "~", "＠": "@",
    "：": ":", "＃": "#", "＂": '"',
}  # fmt: skip
DIGITS = "0123456789０１２３４５６７８９"


@functools.cache
def lark_parser() -> Lark:
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


@functools.cache
def _literals() -> dict[str, str]:
    """Terminal name -> the literal keyword or punctuation it stands for."""
    return {
        t.name: t.pattern.value
        for t in lark_parser().terminals
        if isinstance(t.pattern, PatternStr)
    }


def is_chinese_keyword(word: str) -> bool:
    return not any("a" <= ch.lower() <= "z" for ch in word)


def _expected(names: set[str], lang: str) -> str:
    literals = _literals()
    shown: list[str] = []
    for name in names:
        if name in literals:
            word = literals[name]
            if is_chinese_keyword(word) == (lang == "zh"):
                shown.append(f"「{word}」" if lang == "zh" else f"'{word}'")
        elif name in TERMINAL_NAMES:
            shown.append(TERMINAL_NAMES[name][0 if lang == "zh" else 1])
    shown.sort()
    more = len(shown) > MAX_SHOWN
    joined = ("、" if lang == "zh" else ", ").join(shown[:MAX_SHOWN])
    return joined + (" 等" if more and lang == "zh" else ", ..." if more else "")


def _found(token: Token, lang: str) -> str:
    if token.type in ("_NL", "$END"):
        return TERMINAL_NAMES[token.type][0 if lang == "zh" else 1]
    return f"「{token}」" if lang == "zh" else f"'{token}'"


def _unsupported(path: str, token: Token, source: str) -> Diagnostic | None:
    """Known slips that Lark's "expected X, found Y" would describe misleadingly."""
    line, column = token.line or 1, token.column or 1
    before = source[: column - 1]
    if re.search(r"\d+\s*/\s*\d+", source[column - 1 :]) and token.type in ("NAME", "NUMBER"):
        return Diagnostic(
            path, line, column, "error",
            "比例不能写成分数：请写成百分数或小数，如 67% 或 0.67",
            "a share cannot be a fraction: write a percentage or a decimal, e.g. 67% or 0.67",
        )  # fmt: skip
    if str(token) in (",", "，", "、") and re.match(r"\s*(上班时间|hours)\s", before):
        return Diagnostic(
            path, line, column, "error",
            "上班时间只能写一段（如 8:30 - 17:30）：暂不支持分段（如午休）",
            "working hours are one span (e.g. 8:30 - 17:30): split hours are not supported",
            "中午不计时的，请写全天的上下班时间",
            "write the whole day's start and end",
        )  # fmt: skip
    return None


def describe(path: str, error: UnexpectedInput, text: str = "") -> Diagnostic:
    """A Lark error as a diagnostic: what was expected here, and what was found instead."""
    line, column = error.line or 1, error.column or 1
    if isinstance(error, UnexpectedCharacters):
        char = error.char
        return Diagnostic(
            path, line, column, "error",
            f"无法识别的字符「{char}」", f"unexpected character '{char}'",
            "名称只能包含汉字、字母、数字和下划线；含其他符号的名称请加英文双引号",
            'names hold only Chinese characters, letters, digits and _; quote other names',
        )  # fmt: skip
    assert isinstance(error, UnexpectedToken)
    token, expected = error.token, set(error.expected)
    lines = text.splitlines()
    if token.line and token.line <= len(lines):
        known = _unsupported(path, token, lines[token.line - 1])
        if known is not None:
            return known
    keywords = [w for n, w in _literals().items() if n in expected]
    close = suggestion(str(token), keywords) if token.type == "NAME" else ""
    zh_hint = f"您是不是要写「{close}」？" if close else ""
    en_hint = f"did you mean '{close}'?" if close else ""
    if token.type == "$END":
        zh_hint = zh_hint or "是否少写了右花括号「}」？"
        en_hint = en_hint or "is a closing '}' missing?"
    return Diagnostic(
        path, token.line or line, token.column or column, "error",
        f"此处应为 {_expected(expected, 'zh')}，却是{_found(token, 'zh')}",
        f"expected {_expected(expected, 'en')} here, found {_found(token, 'en')}",
        zh_hint, en_hint,
    )  # fmt: skip


def _full_width(path: str, text: str) -> tuple[str, list[Diagnostic]]:
    """The text with full-width punctuation (outside quotes and comments) made half-width, and
    one diagnostic per replaced sign. A colon is only written inside a time (8:30); elsewhere
    it is read as a space, since keywords and values are separated by spaces."""
    out, found = list(text), []
    line, column, quote, comment = 1, 0, "", False
    for i, ch in enumerate(text):
        column += 1
        if ch == "\n":
            line, column, quote, comment = line + 1, 0, "", False
            continue
        if comment:
            continue
        if quote:
            quote = "" if ch == quote else quote
            continue
        if ch in ('"', "“"):
            quote = '"' if ch == '"' else "”"
            continue
        if ch == "#":
            comment = True
            continue
        if ch not in FULL_WIDTH:
            continue
        half = FULL_WIDTH[ch]
        in_time = ch == "：" and 0 < i < len(text) - 1
        in_time = in_time and text[i - 1] in DIGITS and text[i + 1] in DIGITS
        if ch == "：" and not in_time:
            out[i] = " "
            zh = "全角冒号「：」：关键字与取值之间用空格分隔，不写冒号"
            en = "full-width colon: separate a keyword from its value with a space"
        else:
            out[i] = half
            zh = f"全角字符「{ch}」：请改用半角「{half}」"
            en = f"full-width '{ch}': use the half-width '{half}'"
        found.append(Diagnostic(path, line, column, "error", zh, en))
    return "".join(out), found


def _end_statement(parser: InteractiveParser, newline: Token) -> None:
    """Panic-mode recovery at the end of a broken line: drop the unfinished part of the
    statement (pop parser states) until a line break is acceptable, then feed it, so that the
    next line parses as a fresh statement instead of cascading into more errors."""
    state = parser.parser_state
    table = state.parse_conf.parse_table.states
    while state.value_stack:
        if "_NL" in table[state.position]:
            trial = state.copy()
            try:
                trial.feed_token(newline)
            except UnexpectedInput:
                pass
            else:
                parser.parser_state = trial
                return
        state.state_stack.pop()
        state.value_stack.pop()


def parse_file(path: str, text: str) -> tuple[FileSyntax | None, list[Diagnostic]]:
    """The syntax of one file, or None when it has syntax errors (all of them reported)."""
    text, diagnostics = _full_width(path, text)
    reported_lines: set[int] = {d.line for d in diagnostics}

    def on_error(error: UnexpectedInput) -> bool:
        found = describe(path, error, text)
        if found.line not in reported_lines:
            reported_lines.add(found.line)
            diagnostics.append(found)
        if isinstance(error, UnexpectedToken) and error.token.type == "_NL":
            _end_statement(error.interactive_parser, error.token)
        # At the end of the file there is nothing left to skip: stop.
        return not (isinstance(error, UnexpectedToken) and error.token.type == "$END")

    try:
        tree = lark_parser().parse(text + "\n", on_error=on_error)
    except UnexpectedInput as error:
        if not diagnostics:
            diagnostics.append(describe(path, error, text))
        return None, diagnostics
    if diagnostics:
        return None, diagnostics
    builder = ToSyntax(path)
    try:
        result = builder.transform(tree)
    except RecursionError:  # the tree walk is recursive: absurdly deep nesting must not crash
        return None, [too_deep(path)]
    return result, builder.diagnostics


def too_deep(path: str) -> Diagnostic:
    return Diagnostic(
        path, 1, 1, "error",
        "嵌套层数过多（花括号或括号套了上千层），无法处理",
        "nested too deeply (thousands of braces or parentheses)",
    )  # fmt: skip
