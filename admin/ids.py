"""The `{name:id}` path convertor: a database row id, 0 to 2,147,483,647.

Row ids are 32-bit integers on PostgreSQL; a longer number in a URL would reach the database
and fail there with a 500 ("integer out of range"). Matching only what the column can hold
makes such a URL an ordinary 404, before any query runs."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

# Exactly the decimal numbers 0..2147483647 without leading zeros beyond the first digit.
INT4 = (
    r"(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
    r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]"
    r"|214748364[0-7])"
)


class RowIdConvertor(Convertor[int]):
    regex = INT4

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowIdConvertor())
