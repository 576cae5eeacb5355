"""Standard formats a form author uses besides dates: email, uri, uuid, ipv4, ipv6, hostname,
duration, and data-url (a small file written inline). Each is checked strictly (the optional
format tests of the JSON Schema Test Suite pass for every one) and fails with a Chinese reason.

Formats not listed in forms/formats.py CHECKS stay refused by `yidi form check`: a format that
is named but not checked would be a rule without effect.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re

import idna

DATA_URL_MAX_BYTES = 256 * 1024  # inline files only; bigger ones are attachments (x-attachment)

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_IPV4_PART = re.compile(r"0|[1-9][0-9]{0,2}")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# RFC 3339 appendix A: units in order, each run contiguous (P1Y2D and PT1H2S are not durations).
_DURATION = re.compile(
    r"P(?:(?:[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?|[0-9]+M(?:[0-9]+D)?|[0-9]+D)"
    r"(?:T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S))?"
    r"|T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)"
    r"|[0-9]+W)"
)
# RFC 5322 dot-atom and quoted-string local parts.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf'{_ATOM}(?:\.{_ATOM})*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"')
# RFC 3986.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_URI = re.compile(
    rf"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):"
    rf"(?:(?://(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"
    rf"(?P<host>\[[^\]/?#@]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"
    rf"(?::[0-9]*)?(?:/{_PCHAR}*)*)"
    rf"|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"
    rf"|{_PCHAR}+(?:/{_PCHAR}*)*"
    rf"|)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)
_DATA_URL = re.compile(
    r"data:(?P<type>[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)?"
    r"(?P<params>(?:;[A-Za-z0-9!#$&^_.+-]+=[A-Za-z0-9!#$&^_.+%-]+)*)"
    r"(?P<base64>;base64)?,(?P<data>.*)",
    re.DOTALL,
)


class FormatProblem(ValueError):
    """A value that does not match its format; str() is the Chinese message for the clerk."""


def check_ipv4(value: str) -> None:
    parts = value.split(".")
    if len(parts) != 4 or not all(_IPV4_PART.fullmatch(p) and int(p) <= 255 for p in parts):
        raise FormatProblem("IPv4 地址格式不正确，例如 192.168.0.1")


def check_ipv6(value: str) -> None:
    if not value.isascii() or "%" in value or "/" in value or value.strip() != value:
        raise FormatProblem("IPv6 地址格式不正确，例如 2001:db8::1")
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        raise FormatProblem("IPv6 地址格式不正确，例如 2001:db8::1") from None


def check_hostname(value: str) -> None:
    """RFC 1123 host names; an A-label (xn--…) must be valid IDNA 2008."""
    labels = value.split(".")
    if not value or len(value) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise FormatProblem("主机名格式不正确，例如 www.example.cn")
    for label in labels:
        if label[2:4] == "--" and label[:2].lower() != "xn":
            raise FormatProblem("主机名格式不正确：第 3、4 个字符不能同为连字符")
        if label[:4].lower() == "xn--":
            try:
                unicode_label = idna.ulabel(label)
                idna.alabel(unicode_label)
            except (idna.IDNAError, UnicodeError):
                raise FormatProblem("主机名中的国际化域名（xn--）无效") from None
            if label[:4] != "xn--":
                raise FormatProblem("主机名中的国际化域名应以小写 xn-- 开头")


def check_email(value: str) -> None:
    local, at, domain = value.rpartition("@")
    if not at or not _LOCAL.fullmatch(local) or not domain:
        raise FormatProblem("电子邮箱格式不正确，例如 name@example.cn")
    try:
        if domain.startswith("[IPv6:") and domain.endswith("]"):
            check_ipv6(domain[6:-1])
        elif domain.startswith("[") and domain.endswith("]"):
            check_ipv4(domain[1:-1])
        else:
            check_hostname(domain)
    except FormatProblem:
        raise FormatProblem("电子邮箱的域名部分不正确，例如 name@example.cn") from None


def check_uri(value: str) -> None:
    """An absolute URI (RFC 3986): a scheme, then only the characters a URI may hold."""
    match = _URI.fullmatch(value)
    if match is None:
        raise FormatProblem("网址格式不正确，应为完整网址，例如 https://www.example.cn/")
    host = match["host"] or ""
    if host.startswith("["):
        try:
            check_ipv6(host[1:-1])
        except FormatProblem:
            raise FormatProblem("网址中的 IPv6 地址不正确") from None


def check_uuid(value: str) -> None:
    if not _UUID.fullmatch(value):
        raise FormatProblem("UUID 格式不正确，例如 2eb8aa08-aa98-11ea-b4aa-73b441d16380")


def check_duration(value: str) -> None:
    if not _DURATION.fullmatch(value):
        raise FormatProblem(
            "时长格式不正确，应为 ISO 8601 时长，例如 P3D（3天）、PT2H30M（2小时30分）"
        )


def check_data_url(value: str) -> None:
    """A small file written inline (RFC 2397): `data:image/png;base64,…` within the limit."""
    match = _DATA_URL.fullmatch(value)
    if match is None:
        raise FormatProblem("内嵌文件格式不正确，应为 data:类型;base64,内容")
    data = match["data"]
    if match["base64"]:
        if len(data) > (DATA_URL_MAX_BYTES + 2) // 3 * 4:
            raise FormatProblem(f"内嵌文件过大，不能超过 {DATA_URL_MAX_BYTES // 1024} KB")
        try:
            size = len(base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            raise FormatProblem("内嵌文件的 base64 内容不正确") from None
    else:
        if re.search(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})", data):
            raise FormatProblem("内嵌文件的内容含有网址中不允许的字符，请使用 base64")
        size = len(data)
    if size > DATA_URL_MAX_BYTES:
        raise FormatProblem(f"内嵌文件过大，不能超过 {DATA_URL_MAX_BYTES // 1024} KB")
