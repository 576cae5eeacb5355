"""The national holiday table's console page (/console/holidays): every county administrator
sees which source covers each year and the versions imported; a system administrator
(admin/holiday_import.py) imports a new year's file here. The banner every console page shows
when a year is not covered comes from `coverage_banner`."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin import holiday_import
from admin.auth import StaffUser, require_user
from admin.console.page import render
from engine import national_calendar
from engine.clock import CST, SystemClock
from engine.holiday_file import HolidayFileError


def _today(request: Request) -> Any:
    clock = getattr(request.app.state, "clock", None) or SystemClock()
    return clock.now().astimezone(CST).date()


def coverage_banner(request: Request) -> str | None:
    """The warning for administrators: this year (and from November the next) uncovered."""
    snapshot = holiday_import.snapshot(request.app.state.db)
    return national_calendar.coverage_warning(snapshot, _today(request))


def _viewer(request: Request) -> tuple[StaffUser, bool]:
    """(user, may import): county administrators see the page, system administrators import."""
    user = require_user(request)
    importer = holiday_import.is_system_admin(request.app.state.db, user.username)
    if not (user.is_admin or importer):
        raise HTTPException(403, "只有管理员可以查看全国节假日表。")
    return user, importer


def _page(request: Request, importer: bool, values: dict[str, Any], status: int = 200) -> Response:
    db = request.app.state.db
    snapshot = holiday_import.snapshot(db)
    today = _today(request)
    years = sorted({today.year - 1, today.year, today.year + 1, *snapshot.versions})
    coverage = [(y, snapshot.source(y), snapshot.versions.get(y)) for y in years]
    base = {
        "title": "全国节假日",
        "importer": importer,
        "coverage": coverage,
        "table_name": national_calendar.TABLE,
        "stored": holiday_import.versions(db),
        "audit": holiday_import.import_audit(db),
        "errors": [],
        "changes": None,
    }
    return render(request, "console/holidays.html", {**base, **values}, status=status)


async def holidays_page(request: Request) -> Response:
    _, importer = _viewer(request)
    return _page(request, importer, {})


async def import_holidays(request: Request) -> Response:
    user, importer = _viewer(request)
    if not importer:
        raise HTTPException(403, "只有系统管理员可以导入全国节假日表。")
    async with request.form() as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _page(request, importer, {"errors": ["请选择要导入的文件"]}, status=400)
        name, data = upload.filename, await upload.read()
    try:
        changes = holiday_import.import_file(request.app.state.db, name, data, user.username)
    except HolidayFileError as error:
        values = {"errors": error.problems, "filename": name}
        return _page(request, importer, values, status=400)
    return _page(request, importer, {"changes": changes, "filename": name})
