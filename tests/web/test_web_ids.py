"""Row ids in URLs: numbers a 32-bit id column cannot hold are a 404, never a database error."""

from __future__ import annotations

import re

import pytest

from admin.ids import INT4


@pytest.mark.parametrize("value", ["0", "7", "999999999", "1000000000", "2147483647", "2147483639"])
def test_ids_an_int4_column_holds_match(value: str) -> None:
    assert re.fullmatch(INT4, value)


@pytest.mark.parametrize(
    "value", ["2147483648", "2147483650", "2200000000", "9999999999", "1" * 20]
)
def test_ids_beyond_int4_do_not_match(value: str) -> None:
    assert not re.fullmatch(INT4, value)


def test_every_int4_boundary_agrees_with_arithmetic() -> None:
    # Around each digit position of the maximum, the regex and int() must agree.
    top = 2**31 - 1
    for place in range(10):
        for delta in (-1, 0, 1):
            number = top + delta * 10**place
            assert bool(re.fullmatch(INT4, str(number))) == (0 <= number <= top), number


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/99999999999999999999/act/派单",
        "/tickets/2147483648/act/派单",
        "/tickets/2147483648/claim",
        "/console/accounts/2147483648",
    ],
)
def test_a_row_id_beyond_the_column_is_not_found(client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert "Traceback" not in answer.text
