"""The request layer: limits and text checks every request passes before anything else.

It runs outside the session and the CSRF check (which still runs on every POST, after it), so
a hostile body is refused here, with a clear Chinese 4xx and the security headers, before any
parser further in can fail on it:

- the request target (path and query) is at most MAX_TARGET bytes (414);
- a body is counted while it streams in and refused as soon as it passes its limit (413),
  or at once when its Content-Length says so: MAX_API_BODY under /api/, MAX_BODY elsewhere;
- a body must keep arriving: within BODY_TIMEOUT_SECONDS plus one second per
  BODY_MIN_RATE bytes received, else 408 and the connection is closed (a slow body);
- a form is parsed here once, within MAX_FIELD bytes a field, MAX_FIELDS fields and MAX_FILES
  files; a multipart body without a boundary or otherwise malformed is a 400; pages read the
  parsed form through `form_of` (Starlette's own parser, with the same limits, would agree);
- JSON is parsed here: malformed is a 400, nested deeper than MAX_JSON_DEPTH a 422;
- text is normalised at the edge: a control character (NUL and the other C0 and C1 codes,
  except tab, line feed and carriage return) or a lone surrogate anywhere in the path, the
  query, a form field's name, value or file name, or a JSON key or string is refused (400,
  422 for JSON), so PostgreSQL never sees a NUL and a spreadsheet never gets a control code.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forms.integers import parse_int

MAX_TARGET = 8 * 1024  # bytes of path + query; a URL we make is well under 1 KB
MAX_BODY = 30 * 1024 * 1024  # the largest form with attachments
MAX_API_BODY = 256 * 1024  # a case pushed through the API is a few KB
MAX_FIELD = 1024 * 1024  # one form field that is not a file (a definition file being edited)
MAX_FIELDS = 1000
MAX_FILES = 20  # as forms' own refresh endpoint allows
MAX_JSON_DEPTH = 32  # a case's data is a few levels deep
MAX_PAGE = 100_000  # a page number in a list (past it a page would be empty anyway)
MAX_TEXT = 500  # a reason, a note, an approver: a sentence or two, not a document
FORM_KEY = "yidi.form"  # where the parsed form waits in the request's scope
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/"

# C0 controls but tab, LF, CR; DEL; C1 controls; lone surrogates (JSON can carry \ud800).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

CONTROL_MESSAGE = "含有不允许的控制字符（如 NUL），请删除后重试"


# A body that trickles in (a byte every few seconds: a slow-body attack, the slowloris of
# bodies) held its connection, and a request task, open for as long as the sender liked; the
# head has its own limit (HEADER_TIMEOUT_SECONDS, in the server). Ten seconds for any body,
# plus a second per KB received: an attachment of 30 MB on a link of 1 KB/s still arrives.
BODY_TIMEOUT_SECONDS = 10.0
BODY_MIN_RATE = 1024  # bytes per second, on average, beyond the first BODY_TIMEOUT_SECONDS
BODY_TIMEOUT_MESSAGE = "请求超时：提交的内容未能及时送达（传输过慢或中断），请检查网络后重试"


class Refused(Exception):
    """A request this layer refuses: the status and the Chinese message to answer with."""

    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.path = status, message, path


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def check_text(text: str, what: str) -> None:
    if has_control(text):
        raise Refused(400, f"{what}{CONTROL_MESSAGE}")


def check_json(value: Any) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH or holding a control character (422),
    walked without recursion so no depth can exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise Refused(422, f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）", path)
        if isinstance(node, str):
            if has_control(node):
                raise Refused(422, f"「{path or '/'}」{CONTROL_MESSAGE}", path)
        elif isinstance(node, dict):
            for key, child in node.items():
                if has_control(key):
                    raise Refused(422, f"字段名{CONTROL_MESSAGE}", path)
                stack.append((child, f"{path}/{key}" if path else key, depth + 1))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                stack.append((child, f"{path}/{index}" if path else str(index), depth + 1))


class NotFinite(ValueError):
    """NaN, Infinity or a number past float's range: Python's json takes them, JSON does not
    (and PostgreSQL's jsonb refuses them), so they never reach a case."""


def _not_a_number(text: str) -> float:
    raise NotFinite(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotFinite(text)
    return value


# Python's json messages, in words a user reads; anything else gets the generic 「格式有误」.
JSON_PROBLEMS = {
    "Extra data": "起有多余的内容（JSON 已经结束）",
    "Expecting value": "处应当是一个值",
    "Expecting property name enclosed in double quotes": "处应当是用双引号括起的字段名",
    "Expecting ':' delimiter": "处应当是冒号",
    "Expecting ',' delimiter": "处应当是逗号",
    "Unterminated string starting at": "处的字符串没有结束",
    "Invalid control character at": "处有不允许的控制字符",
    "Invalid \\escape": "处有无效的转义",
    "Invalid \\uXXXX escape": "处有无效的 \\u 转义",
    "Illegal trailing comma before end of object": "处对象末尾多了逗号",
    "Illegal trailing comma before end of array": "处数组末尾多了逗号",
}


def json_problem(exc: json.JSONDecodeError) -> str:
    """Where and what went wrong in a JSON text, in Chinese (Python's own text is English)."""
    if not exc.doc.strip():
        return "请求体为空"
    where = f"第 {exc.lineno} 行第 {exc.colno} 列"
    return where + JSON_PROBLEMS.get(exc.msg, "处格式有误")


def parse_json(raw: bytes) -> Any:
    """The body as JSON, checked; Refused (400 malformed, 422 too deep or bad text)."""
    try:
        # RFC 8259: JSON between systems is UTF-8 (json.loads would guess UTF-16 from a BOM).
        value = json.loads(raw.decode("utf-8"), parse_constant=_not_a_number, parse_float=_finite)
    except NotFinite:
        raise Refused(422, "数值必须是有限的数（不接受 NaN、Infinity 或超出范围的数）") from None
    except RecursionError:
        raise Refused(422, f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）") from None
    except json.JSONDecodeError as exc:
        raise Refused(400, f"请求体不是合法的 JSON：{json_problem(exc)}") from None
    except UnicodeDecodeError:
        raise Refused(400, "请求体不是合法的 JSON：不是 UTF-8 编码的文本") from None
    except ValueError:
        raise Refused(400, "请求体不是合法的 JSON") from None
    check_json(value)
    return value


async def form_of(request: Request) -> FormData:
    """The request's form as this layer parsed it (within the limits), else Starlette's."""
    found = request.scope.get(FORM_KEY)
    if isinstance(found, FormData):
        return found
    return await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD)


class RequestLimitsMiddleware:
    """Apply the limits above to every HTTP request; refusals answer here, in Chinese."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        form: FormData | None = None
        try:
            _check_target(scope)
            if scope["method"] not in SAFE_METHODS:
                body = await _read_body(scope, receive)
                form = await _check_body(scope, body)
                receive = _replayer(body)
        except Refused as refused:
            await _refusal(scope, refused)(scope, _replayer(b""), send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            if form is not None:
                await form.close()


def _check_target(scope: Scope) -> None:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if len(raw_path) + len(scope.get("query_string", b"")) > MAX_TARGET:
        raise Refused(414, f"网址过长（路径和查询参数合计最多 {MAX_TARGET // 1024} KB）")
    check_text(scope["path"], "网址")
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in _pairs(query, "查询参数"):
        check_text(key + value, f"查询参数「{_shown(key)}」")


def _pairs(encoded: str, what: str) -> list[tuple[str, str]]:
    """Name/value pairs of a query string or urlencoded body; percent-escapes that are not
    UTF-8 are refused (Starlette would turn them into U+FFFD and carry on)."""
    try:
        return parse_qsl(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refused(400, f"{what}不是合法的 UTF-8 文本") from None


def _shown(name: str) -> str:
    return CONTROL.sub("", name)[:40]


def _limit(scope: Scope) -> int:
    return MAX_API_BODY if scope["path"].startswith(API_PREFIX) else MAX_BODY


def _too_large(limit: int) -> Refused:
    size = f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"
    return Refused(413, f"提交的内容太大（上限 {size}）")


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    """The body, counted while it arrives: refused at the limit, never read past it."""
    limit = _limit(scope)
    declared = _header(scope, b"content-length")
    if declared:
        size = parse_int(declared, 0, 10**18)
        if size is None:  # 「²」, a sign, or more digits than any body has
            raise Refused(400, "请求头 Content-Length 有误")
        if size > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    began = asyncio.get_running_loop().time()
    while True:
        try:  # a timer on the loop, no task: this runs for every POST
            async with asyncio.timeout_at(began + BODY_TIMEOUT_SECONDS + size / BODY_MIN_RATE):
                message = await receive()
        except TimeoutError:
            raise Refused(408, BODY_TIMEOUT_MESSAGE) from None
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip()
    return ""


async def _check_body(scope: Scope, body: bytes) -> FormData | None:
    kind = _header(scope, b"content-type").lower()
    if kind.startswith("multipart/form-data") or kind.startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await _parse_form(scope, body, kind)
        scope[FORM_KEY] = form
        return form
    is_json = scope["path"].startswith(API_PREFIX) or kind.startswith("application/json")
    if is_json and body.strip():
        parse_json(body)
    return None


async def _parse_form(scope: Scope, body: bytes, kind: str) -> FormData:
    headers = Request(scope).headers

    async def stream() -> Any:
        yield body

    form: FormData | None = None
    try:
        if kind.startswith("multipart/"):
            if "boundary=" not in kind:
                raise Refused(400, "表单格式有误：multipart 请求缺少 boundary")
            form = await MultiPartParser(
                headers,
                stream(),
                max_files=MAX_FILES,
                max_fields=MAX_FIELDS,
                max_part_size=MAX_FIELD,
            ).parse()
        else:
            _pairs(body.decode("latin-1"), "表单内容")
            form = await FormParser(
                headers, stream(), max_fields=MAX_FIELDS, max_part_size=MAX_FIELD
            ).parse()
    except MultiPartException as exc:
        raise Refused(400, _form_problem(str(exc))) from None
    except (ValueError, KeyError, UnicodeDecodeError):  # a malformed part the parser trips on
        raise Refused(400, "表单格式有误，无法识别") from None
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                check_text(key + (value.filename or ""), f"文件「{_shown(key)}」的名称")
            else:
                check_text(key, "字段名")
                check_text(value, f"字段「{_shown(key)}」")
    except Refused:
        await form.close()
        raise
    return form


def _form_problem(english: str) -> str:
    """Starlette's parser speaks English; say the same in Chinese, with the limit."""
    lowered = english.lower()
    if "too many files" in lowered:
        return f"表单中的文件过多（最多 {MAX_FILES} 个）"
    if "too many fields" in lowered:
        return f"表单中的字段过多（最多 {MAX_FIELDS} 个）"
    if "size" in lowered:
        return f"表单中的某个字段过长（每个字段最多 {MAX_FIELD // 1024} KB）"
    if "boundary" in lowered:
        return "表单格式有误：multipart 请求缺少 boundary"
    return "表单格式有误，无法识别"


def _refusal(scope: Scope, refused: Refused) -> Response:
    request = Request(scope)
    response: Response
    if scope["path"].startswith(API_PREFIX):
        errors = [{"path": refused.path, "message": refused.message}]
        body = {"status": refused.status, "message": refused.message, "errors": errors}
        response = JSONResponse(body, refused.status)
    else:
        from admin.errors import error_response  # errors imports templates; avoid a cycle

        response = error_response(request, refused.status, refused.message)
    if refused.status == 408:
        # The rest of a slow body would still be trickling in: uvicorn closes the connection
        # after an answer that says so, instead of reading on for the next request.
        response.headers["Connection"] = "close"
    return response


def _replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


# --- below the application: what uvicorn answers by itself ---------------------------------

# Request line + headers, bytes, however they arrive: server.NoDelayHTTPProtocol counts them
# (h11's buffer limit caught only a head arriving in pieces; one read of 70 KB passed).
MAX_REQUEST_HEAD = 64 * 1024
# A request's line and headers must arrive within this many seconds of the connection (or of
# its first byte on a kept-alive one): a slowloris connection is answered 408 and closed.
HEADER_TIMEOUT_SECONDS = 10.0


def bad_request_bytes() -> bytes:
    """The raw answer for a request uvicorn cannot parse (a request line or headers past
    MAX_REQUEST_HEAD, malformed HTTP): Chinese, with the security headers, then close."""
    return _raw_answer(
        "400 Bad Request",
        "请求有误：请求行或请求头过长（网址最多 8 KB）或格式无法识别，请检查链接后重试。\n",
    )


def head_too_large_bytes() -> bytes:
    """The raw answer to a request whose line and headers pass MAX_REQUEST_HEAD, then close."""
    return _raw_answer(
        "400 Bad Request",
        f"请求有误：请求行和请求头过长（合计超过 {MAX_REQUEST_HEAD // 1024} KB），请删减后重试。\n",
    )


def request_timeout_bytes() -> bytes:
    """The raw answer to a connection whose request head did not arrive within
    HEADER_TIMEOUT_SECONDS (server.NoDelayHTTPProtocol), then close."""
    return _raw_answer("408 Request Timeout", "请求超时：请求头未能及时送达，请重试。\n")


def _raw_answer(status: str, text: str) -> bytes:
    from admin.security import HEADERS

    body = text.encode()
    lines = [
        f"HTTP/1.1 {status}",
        "content-type: text/plain; charset=utf-8",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in HEADERS.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
