"""The one integer parser for text that came from outside (forms, URLs, form paths).

`str.isdigit()` is true for 「²」 and other Unicode digits that `int()` then refuses (a 500),
and `int()` itself takes Arabic-Indic and full-width digits and numbers of any length (a page
number past PostgreSQL's bigint). Here only ASCII 0-9 count, and the value must lie in a range
the caller states, so what comes out can go to the database as it is.
"""

from __future__ import annotations

ASCII_DIGITS = frozenset("0123456789")
MAX_DIGITS = 18  # below 2**63: nothing longer reaches int() (which would take any length)
MAX_ROWS = 10_000  # a row number in a form's repeating group (parties/3)
MAX_SIZE_BYTES = 2**31 - 1  # a file size the client states (what the column holds)


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of ASCII 0-9 only (not ², ３ or ٣)."""
    return bool(text) and len(text) <= MAX_DIGITS and all(ch in ASCII_DIGITS for ch in text)


def parse_int(value: object, low: int, high: int) -> int | None:
    """`value` as an integer in low..high, or None: only ASCII digits (surrounding spaces
    allowed), no sign, no Unicode digits, nothing outside the range."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not is_ascii_digits(text):
        return None
    number = int(text)
    return number if low <= number <= high else None
