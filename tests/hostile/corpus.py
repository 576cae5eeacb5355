"""The hostile corpus: values and bodies an attacker (or a broken client) sends.

Each value has a kind and says whether the request layer must refuse it outright
(`refused`): such a request must get a 4xx and change no data at all. The others may be
accepted as ordinary text (escaped on the way out) or refused; either way never a 5xx, a
stack trace or a Python repr in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    kind: str
    text: str
    refused: bool = False

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.text[:12]!r}"


XSS = "<script>alert(1)</script>"
VALUES: tuple[Value, ...] = (
    # cross-site scripting and template injection: stored or shown, always escaped
    Value("xss", XSS),
    Value("xss", '"><img src=x onerror=alert(1)>'),
    Value("xss", "javascript:alert(1)"),
    Value("xss", "{{7*7}}{% raw %}${7*7}"),
    # SQL: parameters everywhere, so it is only text
    Value("sql", "' OR '1'='1"),
    Value("sql", '1; DROP TABLE "case";--'),
    Value("sql", "%' UNION SELECT password_hash FROM user_account --"),
    # path tricks
    Value("path", "../../../../etc/passwd"),
    Value("path", "..%2f..%2f..%2fetc%2fpasswd"),
    Value("path", "/etc/passwd"),
    Value("path", "C:\\Windows\\win.ini"),
    # control characters and NUL: refused at the edge, wherever they appear
    Value("control", "\x00", refused=True),
    Value("control", "a\x00b", refused=True),
    Value("control", "\x01\x02", refused=True),
    Value("control", "\x1b[31m红", refused=True),
    Value("control", "\x7f", refused=True),
    Value("control", "\u0085", refused=True),
    # huge values
    Value("huge", "长" * 20_000),
    Value("huge", "9" * 5_000),
    # odd digits and numbers
    Value("digits", "²"),
    Value("digits", "３"),
    Value("digits", "٣"),
    Value("digits", "𝟙"),
    Value("digits", "99999999999999999999999999"),
    Value("digits", "-1"),
    Value("digits", "1e999"),
    Value("digits", "NaN"),
    Value("digits", "①"),
    Value("digits", "１２３４５"),  # full-width: read as 12345 where a number is asked
    Value("digits", "1²"),
    # odd Unicode that is still text
    Value("unicode", "\u202eevil\u202c"),
    Value("unicode", "\ufeff\u200b"),
    Value("unicode", "👨‍👩‍👧𝕏"),
    Value("unicode", "e\u0301\u0301\u0301"),
    # out-of-range and malformed dates
    Value("date", "0001-01-01"),
    Value("date", "9999-12-31"),
    Value("date", "2026-02-30"),
    # empty
    Value("empty", ""),
)

# Each surface gets the core (every value the edge must refuse and one of each other kind)
# and a turn of the rest, so the whole corpus runs across the surfaces in a bounded time.
_FIRST_OF_KIND = {v.kind: v for v in reversed(VALUES)}
CORE: tuple[Value, ...] = (
    *(v for v in VALUES if v.refused or _FIRST_OF_KIND.get(v.kind) is v),
    Value("digits", "99999999999999999999999999"),
)
EXTRA: tuple[Value, ...] = tuple(v for v in VALUES if v not in CORE)


def values_for(turn: int, extra: int = 4) -> tuple[Value, ...]:
    """The core and `extra` of the other values, a different few for each turn."""
    start = (turn * extra) % len(EXTRA)
    return CORE + tuple(EXTRA[(start + i) % len(EXTRA)] for i in range(extra))


# Path parameters: the values that make sense in a URL segment.
PATH_KINDS = ("xss", "sql", "path", "control", "digits", "unicode")
PATH_VALUES: tuple[Value, ...] = (
    *(v for v in CORE if v.kind in PATH_KINDS),
    Value("path", "..%2f..%2fetc%2fpasswd"),
    Value("huge", "9" * 300),
)


@dataclass(frozen=True)
class Body:
    """A raw body with its content type: malformed forms, upload tricks, wrong JSON."""

    kind: str
    name: str
    content_type: str
    data: bytes
    refused: bool = True  # malformed: the request layer refuses it (4xx, nothing written)


def _multipart(filename: str, content_type: str, data: bytes, token: str) -> bytes:
    return (
        b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="evidence"; filename="'
        + filename.encode("utf-8", "surrogatepass")
        + b'"\r\nContent-Type: '
        + content_type.encode()
        + b"\r\n\r\n"
        + data
        + b"\r\n--B--\r\n"
    )


def bodies(token: str) -> list[Body]:
    """Malformed bodies and upload tricks, each carrying a valid CSRF token where it can."""
    form = "application/x-www-form-urlencoded"
    multipart = "multipart/form-data; boundary=B"
    return [
        Body("malformed", "multipart-without-boundary", "multipart/form-data", b"a=b"),
        Body("malformed", "multipart-truncated", multipart, b"--B\r\nContent-Disp"),
        Body(
            "malformed",
            "multipart-without-name",
            multipart,
            b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n",
        ),
        Body(
            "malformed",
            "too-many-fields",
            form,
            ("&".join(f"f{i}=1" for i in range(1001)) + f"&csrf_token={token}").encode(),
        ),
        Body(
            "malformed",
            "field-over-1mb",
            form,
            f"csrf_token={token}&x=".encode() + b"y" * (1024 * 1024 + 10),
        ),
        Body("malformed", "nul-in-field-name", form, f"csrf_token={token}&a%00=1".encode()),
        Body("malformed", "nul-in-value", form, f"csrf_token={token}&summary=%00".encode()),
        Body("malformed", "bad-utf8", form, f"csrf_token={token}&summary=%ff%fe%80".encode()),
        Body(
            "upload",
            "nul-file-name",
            multipart,
            _multipart("a\x00.pdf", "application/pdf", b"%PDF-1.4", token),
        ),
        Body(
            "upload",
            "traversal-file-name",
            multipart,
            _multipart("../../../etc/passwd", "application/pdf", b"%PDF-1.4", token),
            refused=False,
        ),
        Body(
            "upload",
            "exe-as-pdf",
            multipart,
            _multipart("合同.pdf", "application/pdf", b"MZ\x90\x00" + b"\x00" * 64, token),
            refused=False,
        ),
        Body(
            "upload",
            "svg-script",
            multipart,
            _multipart("x.svg", "image/svg+xml", b"<svg onload=alert(1)></svg>", token),
            refused=False,
        ),
        Body(
            "upload",
            "empty-file",
            multipart,
            _multipart("空.pdf", "application/pdf", b"", token),
            refused=False,
        ),
        Body(
            "upload",
            "long-file-name",
            multipart,
            _multipart("长" * 2000 + ".pdf", "application/pdf", b"%PDF-1.4", token),
            refused=False,
        ),
        Body("wrong-type", "json-to-a-form", "application/json", b'{"csrf_token": [1]}'),
    ]


# JSON for the API: wrong types, deep nesting, malformed, hostile text in each field.
def api_bodies(valid: dict[str, object]) -> list[tuple[str, bytes, bool]]:
    """(name, body, refused): every API body we try; `valid` is a body that creates a case."""
    import json

    out: list[tuple[str, bytes, bool]] = []
    data = dict(valid["data"])  # type: ignore[call-overload]
    for wrong in ([1], {"town": {}}, {}, 1, 1.5, True, None, [[[]]]):
        for field in ("category", "severity", "location", "channel", "summary"):
            body = {"data": {**data, field: wrong}}
            out.append((f"data.{field}={wrong!r}", json.dumps(body).encode(), True))
        for field in ("category", "severity", "location", "channel", "center", "parties"):
            body = {**valid, field: wrong}
            out.append((f"{field}={wrong!r}", json.dumps(body).encode(), True))
    for value in VALUES:
        for field in ("summary", "category", "location"):
            body = {"data": {**data, field: value.text}}
            out.append((f"data.{field}={value.label}", json.dumps(body).encode(), value.refused))
        party = {"name": value.text, "role": value.text, "phone": value.text}
        body = {"data": {**data, "parties": [party]}}
        out.append((f"party={value.label}", json.dumps(body).encode(), value.refused))
    # number fields: text of any kind (a type error), huge and out-of-range numbers
    for value in VALUES:
        body = {"data": {**data, "amount": value.text}}
        out.append((f"data.amount={value.label}", json.dumps(body).encode(), True))
    for number in (10**30, 1e300, -1e300, 10_000_000_001, 2**63):
        body = {"data": {**data, "amount": number}}
        out.append((f"data.amount={number!r}", json.dumps(body).encode(), True))
    for number in (10**20, 100_001, 0, -5, 2**63):
        body = {"data": {**data, "people_involved": number}}
        out.append((f"data.people_involved={number!r}", json.dumps(body).encode(), True))
    nested = "[" * 3000 + "]" * 3000
    out += [
        ("nested-3000", ('{"data": {"summary": ' + nested + "}}").encode(), True),
        ("nested-object-100", ('{"data": ' + '{"a":' * 100 + "1" + "}" * 101).encode(), True),
        ("not-json", b"{not json", True),
        ("truncated", b'{"data": {"summary": "', True),
        ("array", b"[]", True),
        ("string", b'"x"', True),
        ("bad-utf8", b'{"data": {"summary": "\xff\xfe"}}', True),
        ("lone-surrogate", b'{"data": {"summary": "\\ud800"}}', True),
        ("nul-escape", b'{"data": {"summary": "\\u0000"}}', True),
        ("nul-in-key", b'{"data": {"a\\u0000": 1}}', True),
        ("huge-number", b'{"data": {"summary": 1e99999}}', True),
        ("empty", b"", True),
    ]
    return out
