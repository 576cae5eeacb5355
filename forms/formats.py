"""Format checks: the Chinese domain formats and strict standard ones (dates and times here,
the rest in forms/stdformats.py), each failing with a Chinese message a clerk understands.

Formats are checked by our own FormatChecker rather than jsonschema's default one, because the
default silently passes any format whose optional dependency is missing (date-time, for one):
here every format we accept is really checked, whatever is installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from jsonschema import FormatChecker

from forms.stdformats import (
    FormatProblem as FormatProblem,
)
from forms.stdformats import (
    check_data_url,
    check_duration,
    check_email,
    check_hostname,
    check_ipv4,
    check_ipv6,
    check_uri,
    check_uuid,
)

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level prefixes of GB/T 2260 (mainland, plus 71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCE_PREFIXES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(
    r"(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:(Z)|([+-])(\d{2}):(\d{2}))", re.IGNORECASE | re.ASCII
)
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](.+)", re.ASCII)


def check_id_number(value: str) -> None:
    """Chinese resident ID number: 18 characters, valid region, birth date and check digit."""
    if len(value) != 18:
        raise FormatProblem("身份证号应为18位")
    if (
        not value.isascii()
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] in "Xx")
    ):
        raise FormatProblem("身份证号只能由数字组成，最后一位可以是X")
    if int(value[:2]) not in PROVINCE_PREFIXES:
        raise FormatProblem("身份证号前两位不是有效的省级地区代码")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise FormatProblem("身份证号中的出生日期无效") from None
    if birth.year < 1900 or birth > date.today():
        raise FormatProblem("身份证号中的出生日期无效")
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS, strict=False))
    if _ID_CHECK[total % 11] != value[17].upper():
        raise FormatProblem("身份证号校验位不正确，请核对")


def check_mobile(value: str) -> None:
    if not _MOBILE.fullmatch(value):
        raise FormatProblem("手机号应为 13–19 开头的 11 位数字")


def check_division_code(value: str) -> None:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise FormatProblem("行政区划代码应为6位数字")
    if int(value[:2]) not in PROVINCE_PREFIXES:
        raise FormatProblem("行政区划代码前两位不是有效的省级代码")


def check_date(value: str) -> None:
    if not _DATE.fullmatch(value):
        raise FormatProblem("日期格式不正确，应为 年-月-日，例如 2024-03-01")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise FormatProblem("日期不存在，请核对") from None


def check_time(value: str) -> None:
    """RFC 3339 full-time: seconds and an offset; :60 only at 23:59 UTC (a leap second)."""
    match = _TIME.fullmatch(value)
    if match is None:
        raise FormatProblem("时间格式不正确，例如 09:30")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    offset_hour, offset_minute = int(match[7] or 0), int(match[8] or 0)
    if hour > 23 or minute > 59 or second > 60 or offset_hour > 23 or offset_minute > 59:
        raise FormatProblem("时间不存在，请核对")
    if second == 60:
        sign = -1 if match[6] == "+" else 1
        utc = (hour * 60 + minute + sign * (offset_hour * 60 + offset_minute)) % (24 * 60)
        if utc != 23 * 60 + 59:
            raise FormatProblem("时间不存在，请核对（闰秒只能在协调世界时 23:59:60）")
    time(hour, minute, min(second, 59))


def check_date_time(value: str) -> None:
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise FormatProblem("日期时间格式不正确，例如 2024-03-01 09:30")
    check_date(match[1])
    check_time(match[2])


CHECKS: dict[str, Callable[[str], None]] = {
    "cn-id-number": check_id_number,
    "cn-mobile": check_mobile,
    "cn-division-code": check_division_code,
    "email": check_email,
    "date": check_date,
    "time": check_time,
    "date-time": check_date_time,
    "duration": check_duration,
    "hostname": check_hostname,
    "ipv4": check_ipv4,
    "ipv6": check_ipv6,
    "uri": check_uri,
    "uuid": check_uuid,
    "data-url": check_data_url,
}
# Formats a schema may name without being checked here: none. The attachment marker is a
# keyword (x-attachment), not a format.
KNOWN_FORMATS = frozenset(CHECKS)


def _adapt(check: Callable[[str], None]) -> Callable[[object], bool]:
    def checker(instance: object) -> bool:
        # Formats constrain strings only (JSON Schema); type errors are reported by `type`.
        if isinstance(instance, str):
            check(instance)
        return True

    return checker


def make_format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in CHECKS.items():
        checker.checks(name, raises=FormatProblem)(_adapt(check))
    return checker


FORMAT_CHECKER = make_format_checker()
