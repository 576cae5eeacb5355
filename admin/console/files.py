"""Definition files: browse, edit with line numbers, check while typing, save drafts."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin.console import store
from admin.console.checking import CheckResult, check, editor_lines
from admin.console.page import fragment, render, require_admin
from admin.limits import form_of

# Names administrators give files: letters (Chinese too), digits, _ - . ; at most one folder
# level (forms/受理登记.json). Anything else would let a path escape the county's files.
PATH = re.compile(r"^(?:[\w\-]+/)?[\w\-][\w\-.]*\.(?:yd|json|csv|md)$")
MAX_TEXT = 500_000  # characters; a whole county is a few thousand lines
MAX_PATH = 120  # characters; the drafts table holds 200


def valid_path(path: str) -> str:
    path = path.strip()
    if len(path) > MAX_PATH or not PATH.fullmatch(path) or ".." in path:
        raise HTTPException(
            400,
            f"文件名“{path[:60]}”不可用：只能使用文字、数字、下划线、连字符，扩展名为 "
            f".yd、.json、.csv 或 .md，最多一级目录（如 forms/受理登记.json），"
            f"最长 {MAX_PATH} 个字符。",
        )
    return path


def file_url(path: str) -> str:
    return "/console/files/edit?path=" + quote(path)


async def file_list(request: Request) -> Response:
    user = require_admin(request)
    db = request.app.state.db
    current = store.published(db, user.county)
    drafts = store.drafts(db, user.county)
    files = store.working_files(db, user.county)
    result = check(user.county, files) if files else None
    rows = [
        {
            "path": path,
            "url": file_url(path),
            "lines": text.count("\n") + 1,
            "draft": drafts.get(path),
            "new": current is None or path not in current.files,
            "problems": len(result.in_file(path)) if result else 0,
        }
        for path, text in files.items()
    ]
    return render(
        request,
        "console/files.html",
        {"title": "定义文件", "rows": rows, "published": current, "result": result},
    )


async def edit_page(request: Request) -> Response:
    user = require_admin(request)
    path = valid_path(request.query_params.get("path", ""))
    db = request.app.state.db
    files = store.working_files(db, user.county)
    text = files.get(path, "")
    result = check(user.county, {**files, path: text})
    current = store.published(db, user.county)
    return render(
        request,
        "console/edit.html",
        {
            "title": f"编辑 {path}",
            "file_path": path,
            "text": text,
            "is_new": path not in files,
            "draft": store.drafts(db, user.county).get(path),
            "published_text": (current.files.get(path) if current else None),
            "saved": request.query_params.get("saved") == "1",
            **_check_values(path, text, result),
        },
    )


def _check_values(path: str, text: str, result: CheckResult) -> dict[str, object]:
    """What the editor shows: the gutter and message column, and the problem lists."""
    here = result.in_file(path)
    return {
        "lines": editor_lines(text, here),
        "here": here,
        "elsewhere": result.other_files(path),
        "result": result,
    }


async def _text_from(request: Request) -> tuple[str, str]:
    form = await form_of(request)
    path = valid_path(str(form.get("path", "")))
    text = str(form.get("text", ""))
    if len(text) > MAX_TEXT:
        raise HTTPException(413, f"文件太大（超过 {MAX_TEXT} 个字符）。")
    # Browsers submit textarea lines with CRLF; the definition is stored with LF only.
    return path, text.replace("\r\n", "\n")


async def check_draft(request: Request) -> Response:
    """htmx, while typing: check the county with this text in place of the file; save nothing."""
    user = require_admin(request)
    path, text = await _text_from(request)
    files = store.working_files(request.app.state.db, user.county)
    result = check(user.county, {**files, path: text})
    return fragment("console/_check.html", {"file_path": path, **_check_values(path, text, result)})


async def save(request: Request) -> Response:
    user = require_admin(request)
    path, text = await _text_from(request)
    store.save_draft(request.app.state.db, user.county, path, text, user.username)
    return RedirectResponse(file_url(path) + "&saved=1", status_code=303)


async def discard(request: Request) -> Response:
    user = require_admin(request)
    form = await form_of(request)
    path = valid_path(str(form.get("path", "")))
    store.discard_draft(request.app.state.db, user.county, path, user.username)
    return RedirectResponse("/console/files", status_code=303)


async def new_file(request: Request) -> Response:
    require_admin(request)
    form = await form_of(request)
    path = valid_path(str(form.get("path", "")))
    return RedirectResponse(file_url(path), status_code=303)
