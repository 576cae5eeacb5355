"""Accounts pages: create users, place them in centers/offices/windows with roles, reset
passwords, deactivate. Only the administrator's own county's accounts are listed or found."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.accounts import MembershipSpec
from admin.console import people
from admin.console.page import render, require_admin
from admin.limits import form_of
from admin.scope import county_model
from forms.integers import parse_int


def _choices(model: Any) -> dict[str, list[tuple[str, str]]]:
    if model is None:
        return {"centers": [], "offices": [], "windows": [], "roles": []}

    def pairs(mapping: Any) -> list[tuple[str, str]]:
        return [(key, item.name) for key, item in mapping.items()]

    return {
        "centers": pairs(model.centers),
        "offices": pairs(model.offices),
        "windows": pairs(model.windows),
        "roles": pairs(model.roles),
    }


def _membership(form: FormData, prefix: str = "") -> MembershipSpec | None:
    def value(name: str) -> str:
        return str(form.get(prefix + name, "")).strip()

    if not value("center") and not value("role"):
        return None
    return MembershipSpec(
        center=value("center"),
        role=value("role"),
        office=value("office") or None,
        window=value("window") or None,
    )


def _checked(model: Any, specs: list[MembershipSpec]) -> None:
    for spec in specs:
        problems = people.membership_problems(model, spec)
        if problems:
            raise people.AccountError(f"岗位“{people.describe(spec)}”有误：" + "；".join(problems))


async def account_list(request: Request) -> Response:
    user = require_admin(request)
    return _list_page(request, user.county, {})


def _list_page(
    request: Request, county: str, values: dict[str, Any], status: int = 200
) -> Response:
    db = request.app.state.db
    context = {
        "title": "账号",
        "accounts": people.accounts(db, county),
        "describe": people.describe,
        "form": {},
        **_choices(county_model(db, county)),
        **values,
    }
    return render(request, "console/accounts.html", context, status)


async def account_create(request: Request) -> Response:
    user = require_admin(request)
    db = request.app.state.db
    form = await form_of(request)
    spec = _membership(form)
    password = str(form.get("password", "")) or people.generate_password()
    try:
        if spec is None:
            raise people.AccountError("请至少分配一个岗位（中心和角色）")
        _checked(county_model(db, user.county), [spec])
        user_id = people.create(
            db,
            user.county,
            user.username,
            username=str(form.get("username", "")).strip(),
            display_name=str(form.get("display_name", "")),
            password=password,
            memberships=[spec],
        )
    except people.AccountError as error:
        values = {"error": str(error), "form": dict(form)}
        return _list_page(request, user.county, values, 400)
    created = people.account(db, user.county, user_id)
    return _detail_page(request, user.county, user_id, {"created": created, "secret": password})


def _detail_page(
    request: Request, county: str, user_id: int, values: dict[str, Any], status: int = 200
) -> Response:
    db = request.app.state.db
    found = people.account(db, county, user_id)
    if found is None:
        raise HTTPException(404, "账号不存在，或不属于本县。")
    context = {
        "title": f"账号 {found.username}",
        "account": found,
        "describe": people.describe,
        **_choices(county_model(db, county)),
        **values,
    }
    return render(request, "console/account.html", context, status)


async def account_detail(request: Request) -> Response:
    user = require_admin(request)
    return _detail_page(request, user.county, _user_id(request), {})


def _user_id(request: Request) -> int:
    raw = request.path_params["user_id"]
    return int(raw) if isinstance(raw, int) else 0


async def account_change(request: Request) -> Response:
    """One POST endpoint per account, `do` tells which change: memberships, password, state."""
    user = require_admin(request)
    db = request.app.state.db
    user_id = _user_id(request)
    found = people.account(db, user.county, user_id)
    if found is None:
        raise HTTPException(404, "账号不存在，或不属于本县。")
    form = await form_of(request)
    do = str(form.get("do", ""))
    values: dict[str, Any] = {}
    try:
        if do == "memberships":
            rows = (parse_int(v, 0, 10_000) for v in form.getlist("remove"))
            removed = {n for n in rows if n is not None}
            specs = [m for i, m in enumerate(found.memberships) if i not in removed]
            added = _membership(form, "new_")
            if added is not None:
                specs.append(added)
            _checked(county_model(db, user.county), [added] if added else [])
            if not specs:
                raise people.AccountError("至少保留一个岗位；不再使用的账号请停用")
            people.set_memberships(db, user.county, user.username, user_id, specs)
            values["notice"] = "岗位已更新；该用户需重新登录。"
        elif do == "password":
            secret = str(form.get("password", "")) or people.generate_password()
            people.reset_password(db, user.county, user.username, user_id, secret)
            values["secret"] = secret
        elif do in ("deactivate", "activate"):
            if user_id == user.id:
                raise people.AccountError("不能停用自己的账号")
            people.set_active(db, user.county, user.username, user_id, do == "activate")
            values["notice"] = (
                "账号已启用。" if do == "activate" else "账号已停用，已登录的会话立即失效。"
            )
        else:
            raise people.AccountError("无法识别的操作")
    except people.AccountError as error:
        return _detail_page(request, user.county, user_id, {"error": str(error)}, 400)
    return _detail_page(request, user.county, user_id, values)
