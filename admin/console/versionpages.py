"""Versions: the diff of the working copy against the published version and its check
result; publishing (who and when are recorded by the engine; running cases keep their
version); the engine's migration of running cases, dry run first."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.console import release_notes, store
from admin.console.checking import check, with_instance_warnings
from admin.console.page import render, require_admin
from admin.limits import form_of
from admin.stationed import now_of
from engine.clock import CST
from engine.db import writer
from engine.tables import Case
from forms.integers import parse_int

CASES = Case.__table__


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str  # 新增 / 修改 / 删除
    lines: list[tuple[str, str]]  # (css class, text)


def diff_files(before: dict[str, str], after: dict[str, str]) -> list[FileDiff]:
    """Unified diffs per file, published -> working copy."""
    diffs = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        status = "新增" if old is None else ("删除" if new is None else "修改")
        raw = difflib.unified_diff(
            (old or "").splitlines(),
            (new or "").splitlines(),
            fromfile=f"已发布/{path}",
            tofile=f"草稿/{path}",
            lineterm="",
        )
        diffs.append(FileDiff(path, status, [(_kind(line), line) for line in raw]))
    return diffs


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


@dataclass(frozen=True)
class VersionRow:
    id: int
    number: int
    content_hash: str
    published_by: str
    published_at: Any
    is_current: bool
    running: int  # cases not closed that are pinned to this version
    note: str = ""  # 发布说明 ("" for versions published before notes existed)


def history(request: Request, county: str) -> list[VersionRow]:
    versions, counties = store.VERSIONS, store.COUNTIES
    running = (
        select(CASES.c.version_id, func.count().label("n"))
        .where(CASES.c.status != "closed")
        .group_by(CASES.c.version_id)
        .subquery()
    )
    query = (
        select(versions, func.coalesce(running.c.n, 0).label("running"))
        .join(counties, counties.c.id == versions.c.county_id)
        .outerjoin(running, running.c.version_id == versions.c.id)
        .where(counties.c.code == county)
        .order_by(versions.c.number.desc())
    )
    with request.app.state.db.connect() as conn:
        rows = conn.execute(query).all()
    notes = release_notes.notes_of(request.app.state.db, [r.id for r in rows])
    return [
        VersionRow(
            r.id,
            r.number,
            r.content_hash,
            r.published_by,
            r.published_at,
            r.is_current,
            r.running,
            notes.get(r.id, ""),
        )
        for r in rows
    ]


def summary(diffs: list[FileDiff]) -> list[release_notes.FileSummary]:
    """Per changed file: lines added and removed (what the confirmation page shows)."""
    return [
        release_notes.FileSummary(
            d.path,
            d.status,
            sum(1 for kind, _ in d.lines if kind == "add"),
            sum(1 for kind, _ in d.lines if kind == "del"),
        )
        for d in diffs
    ]


def _state(request: Request, county: str) -> dict[str, Any]:
    db = request.app.state.db
    current = store.published(db, county)
    files = store.working_files(db, county)
    diffs = diff_files(current.files if current else {}, files)
    return {
        "published": current,
        "diffs": diffs,
        "result": _checked(request, county, files),
        "history": history(request, county),
        "files": files,
    }


def _checked(request: Request, county: str, files: dict[str, str]) -> Any:
    """The working copy checked as `yidi check` checks it, instance warnings included."""
    if not files:
        return None

    today = now_of(request).astimezone(CST).date()
    return with_instance_warnings(check(county, files), request.app.state.db, today)


async def versions_page(request: Request) -> Response:
    user = require_admin(request)
    state = _state(request, user.county)
    return render(request, "console/versions.html", {"title": "版本发布", **state})


def _refusal(state: dict[str, Any]) -> str:
    result = state["result"]
    if result is None or not result.ok:
        return "定义有错误，不能发布。请先修正下列问题。"
    if not state["diffs"]:
        return "草稿与已发布版本相同，无需发布。"
    return ""


async def _publishable(request: Request) -> tuple[Any, Any, dict[str, Any], str, Response | None]:
    """Both publishing steps start alike: the admin, the form, the working copy's state, the
    page values and the checked release note; or the 400 page saying why it cannot be published."""
    user = require_admin(request)
    form = await form_of(request)
    state = _state(request, user.county)
    values: dict[str, Any] = {"title": "版本发布", **state, "note": str(form.get("note", ""))}
    refused, note = _refusal(state), ""
    try:
        note = release_notes.checked_note(values["note"])
    except ValueError as error:
        refused = refused or str(error)
    if refused:
        values["error"] = refused
        return user, form, values, note, render(request, "console/versions.html", values, 400)
    return user, form, values, note, None


async def confirm(request: Request) -> Response:
    """Step 1 of publishing: what will change, and the release note, before anything is done."""
    _, _, values, note, refused_page = await _publishable(request)
    if refused_page is not None:
        return refused_page
    state = values  # the working copy's state is part of the page values
    published = state["published"]
    values.update(
        note=note,
        summary=summary(state["diffs"]),
        next_number=(published.number if published else 0) + 1,
        digest=release_notes.working_copy_digest(state["files"]),
    )
    return render(request, "console/publish_confirm.html", values)


async def publish(request: Request) -> Response:
    """Step 2: publish the working copy the confirmation page showed, with its note."""
    user, form, values, note, refused_page = await _publishable(request)
    if refused_page is not None:
        return refused_page
    state = values  # the working copy's state is part of the page values
    if str(form.get("digest", "")) != release_notes.working_copy_digest(state["files"]):
        values["error"] = (
            "确认之后工作副本又有改动（可能是您或其他管理员保存了草稿）。请重新查看改动后再发布。"
        )
        return render(request, "console/versions.html", values, 409)
    from engine import versions

    before = state["published"]
    # The version, its note, the cleared drafts and the audit record commit together, or not
    # at all.
    result = state["result"]
    with writer(request.app.state.db).begin() as conn:
        version = versions.publish_in(conn, result.county, by=user.username)
        release_notes.save(conn, version.id, note, user.username)
        store.clear_drafts(conn, user.county)
        store.record(
            conn,
            user.county,
            user.username,
            "发布版本",
            f"第 {version.number} 版",
            None if before is None else {"version": before.number},
            {"version": version.number, "content_hash": version.content_hash, "note": note},
        )
    values = {"title": "版本发布", **_state(request, user.county)}
    values["notice"] = (
        f"已发布第 {version.number} 版。正在办理的案件仍按原版本办理；如需迁移，请先预演。"
    )
    return render(request, "console/versions.html", values)


def _target_version(request: Request, county: str, raw: Any) -> VersionRow:
    """The version to migrate to; it must be one of this county's."""
    wanted = parse_int(raw, 1, 2**31 - 1) or -1
    for row in history(request, county):
        if row.id == wanted:
            return row
    raise HTTPException(404, "没有该版本，或它不属于本县。")


async def migration(request: Request) -> Response:
    """GET: the dry run; POST: the migration itself (re-planned, never from the client)."""
    user = require_admin(request)
    db = request.app.state.db
    form = await form_of(request) if request.method == "POST" else None
    raw = form.get("to") if form is not None else request.query_params.get("to", "")
    target = _target_version(request, user.county, raw)
    from engine import versions

    plan = versions.plan_migration(db, user.county, target.id)
    numbers = {row.id: row.number for row in history(request, user.county)}
    values: dict[str, Any] = {
        "title": "迁移运行中的案件",
        "target": target,
        "plan": plan,
        "numbers": numbers,
    }
    if form is None:
        return render(request, "console/migration.html", values)
    from engine.errors import ActionRefused

    try:
        outcome = versions.migrate_cases(db, plan)
    except ActionRefused as refused:  # a case moved on between the dry run and now
        values["error"] = str(refused)
        return render(request, "console/migration.html", values, 409)
    with writer(db).begin() as conn:
        store.record(
            conn,
            user.county,
            user.username,
            "迁移案件",
            f"迁移到第 {target.number} 版",
            None,
            {"moved": list(outcome.moved), "refused": [list(r) for r in outcome.refused]},
        )
    values["outcome"] = outcome
    return render(request, "console/migration.html", values)
