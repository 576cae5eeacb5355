"""Files stored before each county had its own folder: moved into their counties' folders.

Until per-county stores, every upload went to one store, `data_dir/attachments/ab/<sha256>`
(and staged ones to `attachments/.incoming/<sha256>.<owner>`). Downloads now read the
viewer's county's folder only (admin.attachments), so such a file could no longer be opened.
`migrate` puts each old file into the folder of every county whose cases or tickets refer to
it (copied to each when two counties refer to the same bytes), then removes the old copy.
Files no case refers to are left where they are and reported.

Safe to run again and to interrupt: a copy is written to a temporary name and renamed into
place (a reader never sees half a file; a leftover temporary is swept by the worker like any
`.upload-` file), an existing copy is kept, and the old file goes only once every county has
its copy. `yidi serve` runs it at start; `yidi attachments migrate` runs it by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from admin.attachments import ROOT, county_root, referenced
from engine.registry import County

log = logging.getLogger("yidi.attachments")
_PREFIX = re.compile(r"[0-9a-f]{2}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
INCOMING = ".incoming"


@dataclass
class Report:
    moved: dict[str, list[str]] = field(default_factory=dict)  # digest -> counties given it
    unreferenced: list[Path] = field(default_factory=list)  # old files no case refers to
    damaged: list[Path] = field(default_factory=list)  # bytes that do not match their name

    @property
    def anything(self) -> bool:
        return bool(self.moved or self.unreferenced or self.damaged)


def legacy_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """(digest, path) of every file in the old layout. A folder of two hex characters holding
    files named by their digest is old; a county's own folder holds folders, never such
    files (even a county whose key is two hex characters)."""
    top = Path(data_dir) / ROOT
    if not top.is_dir():
        return
    for folder in sorted(top.iterdir()):
        if not (folder.is_dir() and _PREFIX.fullmatch(folder.name)):
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and _DIGEST.fullmatch(path.name) and path.name[:2] == folder.name:
                yield path.name, path
    incoming = top / INCOMING
    if incoming.is_dir():
        for path in sorted(incoming.iterdir()):
            digest = path.name.partition(".")[0]
            if path.is_file() and _DIGEST.fullmatch(digest):
                yield digest, path


def _digest_of(path: Path) -> str:
    found = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            found.update(block)
    return found.hexdigest()


def _copy_into(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _references(db: Engine) -> dict[str, list[str]]:
    """digest -> the counties (keys) whose cases or tickets refer to it."""
    with db.connect() as conn:
        counties = conn.execute(select(County.id, County.code).order_by(County.code)).all()
    owners: dict[str, list[str]] = {}
    for county in counties:
        for digest in referenced(db, county.id):
            owners.setdefault(digest, []).append(county.code)
    return owners


def migrate(db: Engine, data_dir: Path) -> Report:
    report = Report()
    old = list(legacy_files(data_dir))
    if not old:
        return report  # the usual case at every start: one directory listing
    owners = _references(db)
    for digest, path in old:
        counties = owners.get(digest, [])
        if not counties:
            report.unreferenced.append(path)
            continue
        if _digest_of(path) != digest:  # damaged or truncated: never copied as that file
            report.damaged.append(path)
            continue
        for county in counties:
            target = county_root(data_dir, county) / digest[:2] / digest
            if not target.is_file():
                _copy_into(path, target)
        path.unlink(missing_ok=True)  # only now: every county has its copy
        report.moved.setdefault(digest, [])
        report.moved[digest] = sorted({*report.moved[digest], *counties})
    for folder in {path.parent for _, path in old}:
        with contextlib.suppress(OSError):  # emptied old folders go; one with files stays
            folder.rmdir()
    if report.anything:
        log.warning(describe(report))
    return report


def describe(report: Report) -> str:
    lines = [f"旧附件迁移：{len(report.moved)} 个文件已放入所属县的附件目录"]
    for digest, counties in sorted(report.moved.items()):
        lines.append(f"  {digest} → {'、'.join(counties)}")
    if report.unreferenced:
        lines.append(f"{len(report.unreferenced)} 个旧文件没有任何案件引用，保留原处未动：")
        lines.extend(f"  {path}" for path in report.unreferenced)
    if report.damaged:
        lines.append(f"{len(report.damaged)} 个旧文件内容与文件名（SHA-256）不符，保留原处未动：")
        lines.extend(f"  {path}" for path in report.damaged)
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    files = sub.add_parser("attachments", help="附件存储：把旧的附件迁入各县区自己的目录")
    files_sub = files.add_subparsers(dest="attachments_command", metavar="操作", required=True)
    files_sub.add_parser(
        "migrate", help="把旧的单一附件目录里的文件迁入引用它们的县区目录"
    ).set_defaults(func=cmd_migrate)


def cmd_migrate(args: argparse.Namespace) -> int:
    from engine import schema
    from engine.db import make_engine
    from engine.settings import load_settings

    settings = load_settings()
    db = make_engine(settings.database_url)
    try:
        schema.upgrade(db)
        report = migrate(db, settings.data_dir)
    finally:
        db.dispose()  # its connections closed before the command returns
    print(describe(report) if report.anything else "没有需要迁移的旧附件。")
    return 0
