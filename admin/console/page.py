"""Who may use the console, and rendering its pages with the workbench's layout.

Every console page works on exactly one county: the signed-in administrator's own. No URL
carries a county key, so there is nothing to tamper with; records looked up by id (accounts)
are checked against that county and answer 404 otherwise (another county's data is neither
shown nor confirmed to exist).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from admin import web
from admin.auth import StaffUser, require_user

TEMPLATES = Path(__file__).parent / "templates"
SECTIONS = (
    ("/console/files", "定义文件"),
    ("/console/views/org", "组织架构"),
    ("/console/views/routing", "分流规则"),
    ("/console/views/processes", "流程图"),
    ("/console/views/deadlines", "时限"),
    ("/console/views/calendar", "日历"),
    ("/console/forms", "表单"),
    ("/console/import", "导入"),
    ("/console/versions", "版本发布"),
    ("/console/accounts", "账号"),
    ("/console/audit", "操作记录"),
    ("/console/holidays", "全国节假日"),
    ("/console/jobs", "定时任务"),
    ("/console/replies", "回告推送"),
)


def _environment() -> Environment:
    base_loader = web.env.loader
    assert base_loader is not None
    return web.env.overlay(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), base_loader]))


env = _environment()


def require_admin(request: Request) -> StaffUser:
    """The console is for county administrators; staff get the plain 403 page."""
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "只有县级管理员可以使用配置台。")
    return user


def render(
    request: Request, template: str, values: dict[str, Any], status: int = 200
) -> HTMLResponse:
    base = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": web.csrf_token(request) if "session" in request.scope else "",
        "nav": web.nav_for(getattr(request.state, "user", None)),
        "path": request.url.path,
        "sections": SECTIONS,
        "national_warning": _national_warning(request),
        "county_name": _county_name(request),
    }
    html = env.get_template(template).render({**base, **values})
    return HTMLResponse(html, status_code=status)


def _county_name(request: Request) -> str:
    """The administrator's county in Chinese (its code only while it has no name)."""
    from admin.counties import county_name

    user = getattr(request.state, "user", None)
    return county_name(request.app.state.db, user.county) if user is not None else ""


def _national_warning(request: Request) -> str | None:
    """The banner of every console page while a year's national holidays are missing."""
    from admin.console.holidays import coverage_banner

    return coverage_banner(request) if "app" in request.scope else None


def fragment(template: str, values: dict[str, Any]) -> HTMLResponse:
    """An htmx fragment: no layout around it."""
    return HTMLResponse(env.get_template(template).render(values))
