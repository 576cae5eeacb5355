"""The one integer parser for text that came from outside (forms, URLs, form paths), and the
one rule for which characters are digits.

The rule (docs/workbench.md, Security): ASCII 0-9 are digits, and so are the full-width
０-９ a Chinese input method types (read as 0-9). Nothing else is: 「²」, 「٣」, 「𝟙」 and
other scripts' or styles' digits are refused in Chinese. `str.isdigit()` is true for 「²」,
which `int()` then refuses (a 500), and `int()` itself takes Arabic-Indic digits and numbers
of any length (a page number past PostgreSQL's bigint). Here a number must also lie in a
range the caller states, so what comes out can go to the database as it is.
"""

from __future__ import annotations

import unicodedata

ASCII_DIGITS = frozenset("0123456789")
MAX_DIGITS = 18  # below 2**63: nothing longer reaches int() (which would take any length)
MAX_ROWS = 10_000  # a row number in a form's repeating group (parties/3)
MAX_SIZE_BYTES = 2**31 - 1  # a file size the client states (what the column holds)
# A number field without a maximum of its own takes at most this (and at least its negative):
# every integer up to it is exact in a JSON number, a float and a bigint.
NUMBER_LIMIT = 2**53 - 1

# Full-width digits and the signs and point typed with them (an IME in full-width mode).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－．", "0123456789+-.")


def full_width_to_ascii(text: str) -> str:
    """０-９ (and ＋－．) as ASCII; every other character as it is."""
    return text.translate(_FULL_WIDTH)


def foreign_digit(text: str) -> str | None:
    """The first character of `text` that is a digit or a number in Unicode's eyes but not one
    of ours (0-9, ０-９): 「²」, 「٣」, 「𝟙」, 「①」; None when there is none."""
    for ch in text:
        if ch.isascii() or "０" <= ch <= "９":
            continue
        if unicodedata.category(ch) in ("Nd", "No", "Nl"):  # digits, ², ½, ①, Ⅻ
            return ch
    return None


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of ASCII 0-9 only (not ², ３ or ٣)."""
    return bool(text) and len(text) <= MAX_DIGITS and all(ch in ASCII_DIGITS for ch in text)


def parse_int(value: object, low: int, high: int) -> int | None:
    """`value` as an integer in low..high, or None: digits by the rule above (full-width read
    as ASCII; surrounding spaces allowed), no sign, nothing outside the range."""
    if not isinstance(value, str):
        return None
    text = full_width_to_ascii(value.strip())
    if not is_ascii_digits(text):
        return None
    number = int(text)
    return number if low <= number <= high else None
