"""Clear Chinese error pages (HTML) or structured errors (JSON under /api/): never a trace."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import psycopg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from admin.auth import LoginRequired
from admin.web import render

log = logging.getLogger("yidi.web")

MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回上一页检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您没有权限查看或办理该事项。如需办理，请联系本中心管理员。"),
    404: ("未找到", "您要找的页面或案件不存在，或不在您的工作范围内。"),
    405: ("不支持的操作", "该页面不支持这种提交方式。"),
    408: ("请求超时", "提交的内容未能及时送达，请检查网络后重试。"),  # a slow body
    413: ("内容过大", "提交的内容或附件太大。"),
    422: ("内容有误", "提交的内容未通过校验。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统出错", "系统暂时无法完成该操作，已记录日志，请稍后再试或联系管理员。"),
    503: ("暂时无法服务", "数据库暂时无法访问，请稍后再试。"),
}
RETRY_AFTER_SECONDS = "5"  # what a 503 asks the caller to wait before trying again


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, detail: str = "") -> Response:
    title, message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    if detail and status < 500:
        message = detail
    if _is_api(request):
        return JSONResponse({"error": title, "message": message, "status": status}, status)
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _default(exc) else ""
    response = error_response(request, exc.status_code, detail)
    # Headers the exception carries belong to the answer: a 405's Allow (RFC 9110 15.5.6).
    response.headers.update(exc.headers or {})
    return response


def _default(exc: HTTPException) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return ""


# The drivers' own classes too: taking a connection from the pool (`Engine.raw_connection`,
# which the hot paths use) raises the driver's error unwrapped when the server is down.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (restarting, connection cut, SQLite busy past its
    timeout): a passing condition, not a fault of this request or of the code."""
    if isinstance(exc, UNAVAILABLE):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database is away; the pool's pre-ping replaces the dead
    connections once it is back, so the same process serves again without a restart."""
    if not database_unavailable(exc):
        return await server_error(request, exc)
    # The driver's class only: its message may name the host and the database.
    orig = getattr(exc, "orig", None)
    log.warning(
        "database unavailable on %s %s (%s)",
        request.method,
        request.url.path,
        type(orig or exc).__name__,
    )
    response = error_response(request, 503)
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    from admin.security import HEADERS

    if database_unavailable(exc):  # raised in a middleware, outside the routes' handlers
        response = await unavailable(request, exc)
        response.headers.update(HEADERS)
        return response
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    response = error_response(request, 500)
    # Starlette answers 500s outside the middleware stack: put the security headers on here.
    response.headers.update(HEADERS)
    return response


async def login_required(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return error_response(request, 401)
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if request.headers.get("hx-request"):
        # htmx follows redirects inside the fragment; ask it to load the login page fully.
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}"})
    return RedirectResponse(f"/login?next={target}", status_code=303)


def csrf_failure(request: Request) -> Response:
    return error_response(
        request, 403, "页面已过期或请求来源无法确认（CSRF 校验失败），请刷新页面后重试。"
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]
EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    HTTPException: http_error,
    LoginRequired: login_required,
    DBAPIError: unavailable,
    **{kind: unavailable for kind in UNAVAILABLE[2:]},
    Exception: server_error,
}
