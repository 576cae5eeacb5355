"""`yidi calendar`: the national holiday table on the command line (admin/holiday_import.py)."""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from engine import national_calendar
from engine.clock import CST, Clock, SystemClock
from engine.db import make_engine
from engine.settings import load_settings

WEEKDAYS = "一二三四五六日"
# The clock `show` and `yidi check` read "today" from (tests set a ManualClock here).
clock: Clock = SystemClock()


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    import dsl.cli

    if check_warnings not in dsl.cli.INSTANCE_WARNINGS:  # `yidi check` warns on coverage
        dsl.cli.INSTANCE_WARNINGS.append(check_warnings)
    cal = sub.add_parser("calendar", help="全国节假日表（所有县区共用）")
    cal_sub = cal.add_subparsers(dest="calendar_command", metavar="操作", required=True)
    imp = cal_sub.add_parser("import", help="导入一年的放假日与调休上班日（CSV/JSON）")
    imp.add_argument(
        "file", type=Path, metavar="文件", help="文件，如 2027.csv（格式见 docs/engine.md）"
    )
    imp.add_argument("--by", default="", help="导入人（默认：命令行:<系统用户名>）")
    imp.set_defaults(func=cmd_import)
    show = cal_sub.add_parser("show", help="各年份由哪个来源覆盖；写年份时列出该年的节假日")
    show.add_argument(
        "year", nargs="?", type=int, metavar="年份", help="列出这一年的节假日与调休上班日"
    )
    show.set_defaults(func=cmd_show)
    for name, helptext in (
        ("grant", "授予账号系统管理员权限：可在配置台导入全国节假日表"),
        ("revoke", "撤销该账号的系统管理员权限"),
    ):
        action = cal_sub.add_parser(name, help=helptext)
        action.add_argument("username", metavar="用户名")
        action.set_defaults(func=cmd_grant if name == "grant" else cmd_revoke)


def _engine() -> Engine:
    from engine import schema

    db = make_engine(load_settings().database_url)
    if not schema.is_current(db):
        db.dispose()
        raise SystemExit("数据库尚未升级到最新版本，请先运行 yidi db upgrade")
    return db


def _operator(given: str) -> str:
    return given or f"命令行:{getpass.getuser()}"


OS_PROBLEMS = {
    errno.ENOENT: "文件不存在",
    errno.EISDIR: "是一个目录，不是文件",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.ENAMETOOLONG: "文件名太长",
}


def os_problem(error: OSError) -> str:
    """Why a file could not be read, in Chinese (the system's own text is English)."""
    return OS_PROBLEMS.get(error.errno or 0, "读取失败")


def cmd_import(args: argparse.Namespace) -> int:
    from admin.holiday_import import import_file
    from engine.holiday_file import HolidayFileError

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"读不到文件 {path}：{os_problem(error)}", file=sys.stderr)
        return 2
    db = _engine()
    try:
        changes = import_file(db, path.name, data, _operator(args.by))
    except HolidayFileError as error:
        print(f"{path} 不能导入（什么也没有写入）：", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    for change in changes:
        print(change.summary)
        for line in change.lines:
            print(f"  {line}")
        if change.library_differs:
            print(
                f"  注意：{change.year} 年与 chinesecalendar 不一致的日期（请对照国务院通知核实）："
            )
            for line in change.library_differs:
                print(f"    {line}")
    print("已生效：各县的工作日计算在下一次办理时即按新表计算，无需重启服务。")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from admin.holiday_import import snapshot, versions

    db = _engine()
    try:
        snap = snapshot(db)
        stored = versions(db, args.year)
    finally:
        db.dispose()
    today = clock.now().astimezone(CST).date()
    if args.year is None:
        years = sorted({today.year - 1, today.year, today.year + 1, *snap.versions})
        for year in years:
            source = snap.source(year)
            if source == national_calendar.TABLE:
                print(f"{year} 年：{source} 第 {snap.versions[year]} 版")
            else:
                print(f"{year} 年：{source or '未覆盖（只按周末计算）'}")
        warning = national_calendar.coverage_warning(snap, today)
        if warning:
            print(f"警告：{warning}")
        return 0
    year = args.year
    print(f"{year} 年：{snap.source(year) or '未覆盖（只按周末计算）'}")
    day = date(year - 1, 12, 1)
    while day <= date(year, 12, 31):
        found = snap.detail(day)
        if found is not None and (day.year == year or day in snap.days):
            kind = "上班" if found.working else "放假"
            print(f"  {day} 星期{WEEKDAYS[day.weekday()]} {kind} {found.name}")
        day += timedelta(days=1)
    for row in stored:
        when = row.imported_at.astimezone(CST).strftime("%Y-%m-%d %H:%M")
        print(f"第 {row.number} 版：{when} {row.imported_by} 导入 {row.source} {row.notice}")
    return 0


def _change_role(args: argparse.Namespace, granting: bool) -> int:
    from admin.accounts import user_exists
    from admin.holiday_import import grant, revoke

    db = _engine()
    try:
        if granting and not user_exists(db, args.username):
            print(f"没有用户「{args.username}」，请先用 yidi user add 创建", file=sys.stderr)
            return 1
        by = _operator("")
        changed = grant(db, args.username, by) if granting else revoke(db, args.username, by)
    finally:
        db.dispose()
    if granting:
        print(
            f"已授予「{args.username}」系统管理员（维护全国节假日表）"
            if changed
            else f"「{args.username}」已是系统管理员"
        )
    else:
        print(
            f"已撤销「{args.username}」的系统管理员"
            if changed
            else f"「{args.username}」不是系统管理员"
        )
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    return _change_role(args, True)


def cmd_revoke(args: argparse.Namespace) -> int:
    return _change_role(args, False)


def check_warnings() -> list[str]:
    """For `yidi check`: the national table's coverage of this year (and, from November, the
    next), read from the instance's database (YIDI_DATABASE_URL) when there is one; without
    one (a fresh checkout) the library alone decides. Never creates a database or a key."""
    today = clock.now().astimezone(CST).date()
    snap = _stored_snapshot() or national_calendar.EMPTY
    warning = national_calendar.coverage_warning(snap, today)
    return [warning] if warning else []


def _stored_snapshot() -> national_calendar.Snapshot | None:
    from engine import schema

    data_dir = Path(os.environ.get("YIDI_DATA_DIR", "./data")).resolve()
    url = os.environ.get("YIDI_DATABASE_URL") or f"sqlite:///{data_dir / 'yidi.db'}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    db = make_engine(url)
    try:
        if not schema.is_current(db):
            return None
        with db.connect() as conn:
            return national_calendar.load(conn)
    except Exception:  # an unreachable database: the library alone decides
        return None
    finally:
        db.dispose()
