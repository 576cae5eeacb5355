"""ECMA-262 regular expressions (what JSON Schema's `pattern` means) for Python's `re`.

A form author writes `"pattern": "^\\p{Han}{2,4}$"` (a Chinese name of two to four
characters) and expects a browser's meaning. jsonschema hands patterns to Python's `re`, which
has no `\\p{…}` and differs in small ways, so every pattern is translated once, when the form
is loaded, into a Python pattern with the ECMA-262 meaning:

- `\\p{Han}`, `\\p{Script=Han}`, `\\p{L}`, `\\P{…}`: the property's code points as a character
  class, computed with the `regex` module (which knows Unicode scripts) and cached;
- `\\d`, `\\w` are ASCII only; `\\s` includes U+FEFF; `.` stops at any line terminator; `$` is
  the end of the text (Python's `$` also matches before a final newline); `\\cX`, `\\u{…}`,
  `(?<name>…)` and `\\k<name>` are spelled the Python way; `[^]` and `[]` keep their meaning.

Translation (rather than validating with `regex` itself) keeps every jsonschema keyword that
matches patterns (`pattern`, `patternProperties`, `additionalProperties`,
`unevaluatedProperties`) on one meaning without replacing jsonschema's own code.
Syntax ECMA-262 does not have (`(?P<…>`, `(?i)`, `(?#…)`, `(?>…)`, `\\A`, `\\Z`, possessive
`*+`) is refused, by `yidi form check` with a Chinese message, never silently read the Python way.
"""

from __future__ import annotations

import array
import functools
import re
import sys
from typing import Any

import regex

from forms.refs import DATA_KEYWORDS, SCHEMA_MAPS

ASCII_WORD = "A-Za-z0-9_"
LINE_END = r"\n\r\u2028\u2029"
ECMA_LETTER_ESCAPES = frozenset("bBdDsSwWfnrtvcxukpP")
QUANTIFIER_ENDS = frozenset("*+?}")


# Python's `re` explains in English; the form author reads Chinese.
RE_ERRORS = (
    ("missing )", "缺少右括号 )"),
    ("unbalanced parenthesis", "多了右括号 )"),
    ("unterminated character set", "方括号 [ 没有闭合"),
    ("nothing to repeat", "量词（* + ? {n}）前面没有内容"),
    ("multiple repeat", "量词重复"),
    ("look-behind requires fixed-width", "后行断言 (?<=…) 只能匹配固定长度的内容"),
    ("unknown group name", "引用了不存在的分组"),
    ("invalid group reference", "引用了不存在的分组"),
    ("redefinition of group name", "分组名重复"),
    ("bad character range", "字符范围写反了（例如 z-a）"),
    ("min repeat greater than max repeat", "量词的最小次数大于最大次数"),
    ("bad escape", "无法识别的转义"),
)


class PatternProblem(ValueError):
    """A pattern that is not an ECMA-262 regular expression; str() is Chinese."""


@functools.cache
def _all_characters() -> str:
    """Every code point but the surrogates, in order (built in C: a Python loop over 1.1
    million characters takes a second on a busy machine)."""
    points = array.array("I", range(0xD800))
    points.extend(range(0xE000, 0x110000))
    return points.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")


@functools.lru_cache(maxsize=256)
def property_class(name: str, negate: bool) -> str:
    """The body of a character class holding every code point of a Unicode property."""
    try:
        finder = regex.compile(("\\P{%s}+" if negate else "\\p{%s}+") % name)
    except regex.error:
        raise PatternProblem(
            f"未知的 Unicode 属性「{name}」（例如 \\p{{Han}}、\\p{{L}}）"
        ) from None
    parts = []
    for match in finder.finditer(_all_characters()):
        first, last = ord(match.group()[0]), ord(match.group()[-1])
        parts.append(f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}")
    if not parts:
        raise PatternProblem(f"Unicode 属性「{name}」不含任何字符")
    return "".join(parts)


def _escape(text: str, index: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape starting at pattern[index] (a backslash): (Python, next index)."""
    nxt = text[index + 1] if index + 1 < len(text) else ""
    if not nxt:
        raise PatternProblem("正则表达式不能以单独的反斜杠结尾")
    if nxt in "pP":
        found = re.match(r"\{([A-Za-z_]+(?:=[A-Za-z_]+)?)\}", text[index + 2 :])
        if found is None:
            raise PatternProblem("\\p 后应写 {属性名}，例如 \\p{Han}")
        body = property_class(found[1], nxt == "P")
        return (body if in_class else f"[{body}]"), index + 2 + found.end()
    simple = {
        "d": ("0-9", "[0-9]"),
        "w": (ASCII_WORD, f"[{ASCII_WORD}]"),
        "s": ("\\s\\ufeff", "[\\s\\ufeff]"),
        "D": ("\\D", "[^0-9]"),
        "W": ("\\W", f"[^{ASCII_WORD}]"),
        "S": ("\\S", "[^\\s\\ufeff]"),
    }
    if nxt in simple:
        return simple[nxt][0 if in_class else 1], index + 2
    if nxt == "c":
        letter = text[index + 2 : index + 3]
        if not (letter.isascii() and letter.isalpha()):
            raise PatternProblem("\\c 后应为一个英文字母")
        return re.escape(chr(ord(letter) % 32)), index + 3
    if nxt == "u" and text[index + 2 : index + 3] == "{":
        found = re.match(r"\{([0-9A-Fa-f]{1,6})\}", text[index + 2 :])
        if found is None or int(found[1], 16) > 0x10FFFF:
            raise PatternProblem("\\u{…} 中应为不超过 10FFFF 的十六进制数")
        return f"\\U{int(found[1], 16):08x}", index + 2 + found.end()
    if nxt == "k":
        found = re.match(r"<([A-Za-z_$][\w$]*)>", text[index + 2 :])
        if found is None:
            raise PatternProblem("\\k 后应写 <组名>")
        return f"(?P={found[1]})", index + 2 + found.end()
    if nxt.isascii() and nxt.isalpha() and nxt not in ECMA_LETTER_ESCAPES:
        raise PatternProblem(f"\\{nxt} 不是 ECMA-262 正则表达式的写法")
    return text[index : index + 2], index + 2


def _group(text: str, index: int) -> tuple[str, int]:
    """Translate a group opening at pattern[index] ("(")."""
    if not text.startswith("(?", index):
        return "(", index + 1
    kind = text[index + 2 : index + 3]
    if kind in (":", "=", "!"):
        return text[index : index + 3], index + 3
    if kind == "<" and text[index + 3 : index + 4] in ("=", "!"):
        return text[index : index + 4], index + 4
    if kind == "<":
        return "(?P<", index + 3
    raise PatternProblem(f"「{text[index : index + 3]}」不是 ECMA-262 正则表达式的写法")


@functools.lru_cache(maxsize=4096)
def translate(pattern: str) -> str:
    """A Python `re` pattern with the ECMA-262 meaning of `pattern`; PatternProblem if it is
    not an ECMA-262 regular expression (or one Python cannot run)."""
    out: list[str] = []
    index, in_class, after_quantifier = 0, False, False
    while index < len(pattern):
        char = pattern[index]
        quantifier = False
        if char == "\\":
            piece, index = _escape(pattern, index, in_class)
            out.append(piece)
        elif in_class:
            in_class = char != "]"
            out.append("\\[" if char == "[" else char)
            index += 1
        elif char == "[":
            if pattern.startswith("[]", index):
                out.append("(?!)")  # the empty class matches nothing
                index += 2
            elif pattern.startswith("[^]", index):
                out.append("[\\s\\S]")  # any character at all
                index += 3
            else:
                in_class = True
                opening = "[^" if pattern.startswith("[^", index) else "["
                out.append(opening)
                index += len(opening)
        elif char == "(":
            piece, index = _group(pattern, index)
            out.append(piece)
        else:
            if char == "+" and after_quantifier:
                raise PatternProblem("ECMA-262 正则表达式没有占有量词（如 *+）")
            quantifier = char in QUANTIFIER_ENDS
            out.append({"$": "\\Z", ".": f"[^{LINE_END}]"}.get(char, char))
            index += 1
        after_quantifier = quantifier
    translated = "".join(out)
    try:
        re.compile(translated)
    except re.error as error:
        reason = next((text for key, text in RE_ERRORS if error.msg.startswith(key)), "无法解析")
        raise PatternProblem(f"正则表达式写法有误：{reason}") from None
    return translated


def ecma_schema(node: Any) -> Any:
    """The schema with every `pattern` and `patternProperties` key translated; parts without
    patterns are the same objects (so lookups by identity still find them)."""
    if isinstance(node, list):
        items = [ecma_schema(item) for item in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if not isinstance(node, dict):
        return node
    changed: dict[str, Any] = {}
    for key, value in node.items():
        if key in DATA_KEYWORDS:
            continue
        new: Any
        if key == "pattern" and isinstance(value, str):
            new = translate(value)
        elif key == "patternProperties" and isinstance(value, dict):
            new = {translate(k): ecma_schema(v) for k, v in value.items()}
        elif key in SCHEMA_MAPS and isinstance(value, dict):  # names are not keywords
            mapped = {k: ecma_schema(v) for k, v in value.items()}
            changed_any = any(mapped[k] is not v for k, v in value.items())
            new = mapped if changed_any else value
        else:
            new = ecma_schema(value)
        if new is not value and new != value:
            changed[key] = new
    return {**node, **changed} if changed else node
