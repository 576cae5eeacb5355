"""Import pages: upload -> preview with a row-by-row error report -> save the good rows.

The preview carries the parsed rows to the confirmation as JSON, but the confirmation checks
every row again against the current definition and accounts: the browser is never trusted
with what gets saved. Saving is one transaction, audited.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from admin.accounts import USERS, MembershipSpec, hash_password
from admin.console import imports, people, store
from admin.console.checking import check
from admin.console.page import render, require_admin
from admin.limits import form_of
from admin.scope import county_model
from engine.db import writer

CENTER_LIST = "centers.csv"
LIST_DECLARED = re.compile(r"^\s*(中心名单|center_list)\s+\"centers\.csv\"", re.MULTILINE)
KINDS = {
    "centers": ("乡镇、村（社区）名单", imports.CENTER_COLUMNS),
    "staff": ("工作人员名单", imports.STAFF_COLUMNS),
}


async def import_page(request: Request) -> Response:
    require_admin(request)
    return render(request, "console/import.html", {"title": "导入", "kinds": KINDS})


def _working_model(request: Request, county: str) -> Any:
    """The definition rows are checked against: the working copy if it compiles."""
    db = request.app.state.db
    files = store.working_files(db, county)
    if files:
        result = check(county, files)
        if result.ok:
            return result.county
    return county_model(db, county)


def _checked(
    request: Request, county: str, kind: str, rows: list[imports.Row], model: Any = None
) -> list[imports.Row]:
    db = request.app.state.db
    if kind == "centers":
        return imports.check_centers(model or _working_model(request, county), rows)
    with db.connect() as conn:
        taken = set(conn.execute(select(USERS.c.username)).scalars())
    return imports.check_staff(county_model(db, county), rows, taken)


def _kind(value: Any) -> str:
    kind = str(value or "")
    return kind if kind in KINDS else "centers"


async def _upload(request: Request) -> tuple[str, str, bytes]:
    """(kind, file name, bytes) of the upload; the spooled file is closed before returning."""
    async with request.form() as form:
        kind = _kind(form.get("kind"))
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return kind, "", b""
        return kind, upload.filename, await upload.read()


async def preview(request: Request) -> Response:
    user = require_admin(request)
    kind, filename, data = await _upload(request)
    values: dict[str, Any] = {"title": "导入预览", "kind": kind, "kinds": KINDS}
    try:
        if not filename:
            raise imports.ImportFileError("请选择要导入的文件")
        rows = imports.read_table(filename, data, KINDS[kind][1])
        model = _working_model(request, user.county) if kind == "centers" else None
        if kind == "centers" and model is None:
            raise imports.ImportFileError("本县还没有可用的定义（层级、县级中心），请先编写定义")
    except imports.ImportFileError as error:
        return render(request, "console/import.html", {**values, "error": str(error)}, 400)
    rows = _checked(request, user.county, kind, rows, model)
    payload = json.dumps([{"n": r.number, "v": r.values} for r in rows], ensure_ascii=False)
    values.update(
        {
            "rows": rows,
            "columns": KINDS[kind][1],
            "good": sum(1 for r in rows if r.ok),
            "bad": sum(1 for r in rows if not r.ok),
            "payload": payload,
            "filename": filename,
        }
    )
    return render(request, "console/import_preview.html", values)


def _rows_from(payload: str, columns: tuple[str, ...]) -> list[imports.Row]:
    try:
        raw = json.loads(payload)
        return [
            imports.Row(int(item["n"]), {c: str(item["v"].get(c, ""))[:200] for c in columns})
            for item in raw[: imports.MAX_ROWS]
        ]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []


async def apply(request: Request) -> Response:
    user = require_admin(request)
    form = await form_of(request)
    kind = _kind(form.get("kind"))
    rows = _checked(
        request, user.county, kind, _rows_from(str(form.get("payload", "")), KINDS[kind][1])
    )
    good = [r for r in rows if r.ok]
    values: dict[str, Any] = {"title": "导入结果", "kind": kind, "kinds": KINDS, "rows": rows}
    if not good:
        return render(
            request,
            "console/import.html",
            {**values, "error": "没有可以导入的行（全部有误或已导入）"},
            400,
        )
    if kind == "centers":
        values.update(_save_centers(request, user.county, user.username, good))
    else:
        try:
            values.update(_save_staff(request, user.county, user.username, good))
        except people.AccountError as error:  # someone took a username since the check
            return render(request, "console/import.html", {**values, "error": str(error)}, 409)
    values["skipped"] = len(rows) - len(good)
    return render(request, "console/import_done.html", values)


def _save_centers(
    request: Request, county: str, actor: str, rows: list[imports.Row]
) -> dict[str, Any]:
    db = request.app.state.db
    files = store.working_files(db, county)
    texts = {CENTER_LIST: imports.centers_csv(files.get(CENTER_LIST, ""), rows)}
    if not any(LIST_DECLARED.search(t) for p, t in files.items() if p.endswith(".yd")):
        # The list only counts once a definition file names it: add the line for them.
        main = next((p for p in files if p.endswith(".yd")), "county.yd")
        texts[main] = files.get(main, "").rstrip("\n") + f'\n\n中心名单 "{CENTER_LIST}"\n'
    store.save_drafts(db, county, texts, actor, action="导入中心名单")
    result = check(county, {**files, **texts})
    return {"saved": len(rows), "result": result, "centers": [r.values["名称"] for r in rows]}


def _save_staff(
    request: Request, county: str, actor: str, rows: list[imports.Row]
) -> dict[str, Any]:
    created = []
    # Each password is hashed before the write transaction: Argon2 takes a fifth of a second
    # on purpose, and a hundred of them under SQLite's write lock stalled every other writer.
    secrets = [people.generate_password() for _ in rows]
    hashes = [hash_password(secret) for secret in secrets]
    with writer(request.app.state.db).begin() as conn:
        for row, secret, hashed in zip(rows, secrets, hashes, strict=True):
            v = row.values
            spec = MembershipSpec(
                v["中心"], v["角色"], v.get("单位") or None, v.get("窗口") or None
            )
            people.insert_account(
                conn, county, actor, v["用户名"], v["姓名"], secret, [spec], hashed
            )
            created.append((v["用户名"], v["姓名"], secret))
    return {"saved": len(created), "created": created}
