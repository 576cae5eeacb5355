"""The `yidi` subcommands that belong to `admin/`: accounts and API keys."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import Engine, select

from admin import key_scopes
from admin.accounts import KEYS, MembershipSpec, create_api_key, create_user, user_exists
from admin.counties import CountyError, add_county, checked_county, membership_problems_of
from engine.db import make_engine, writer
from engine.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's subcommands to the `yidi` parser."""
    user = sub.add_parser("user", help="工作人员账号")
    user_sub = user.add_subparsers(dest="user_command", metavar="操作", required=True)
    add = user_sub.add_parser("add", help="新建一个工作人员账号")
    add.add_argument("username", metavar="用户名", help="登录用的用户名")
    add.add_argument(
        "--county",
        required=True,
        help="县区编码，如 xiaogan（须已存在：已发布或用 yidi county add 创建）",
    )
    add.add_argument("--name", default="", help="姓名（默认同用户名）")
    add.add_argument(
        "--member",
        action="append",
        default=[],
        metavar="中心:角色[:单位[:窗口]]",
        help="岗位（可写多次），如 书院街道:承办人:司法所",
    )
    add.add_argument("--admin", action="store_true", help="县级管理员（使用本县配置台）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    add.set_defaults(func=cmd_user_add)

    county = sub.add_parser("county", help="县区：新建一个县区（定义由其管理员在配置台发布）")
    county_sub = county.add_subparsers(dest="county_command", metavar="操作", required=True)
    county_add = county_sub.add_parser("add", help="新建一个空的县区")
    county_add.add_argument(
        "code", metavar="编码", help="县区编码（小写字母，如 qingshan），即定义目录名"
    )
    county_add.add_argument("--name", required=True, help="中文名，如 青山县")
    county_add.set_defaults(func=cmd_county_add)

    key = sub.add_parser("apikey", help="外部系统（12345 热线、网格平台）的 API 密钥")
    key_sub = key.add_subparsers(dest="apikey_command", metavar="操作", required=True)
    key_add = key_sub.add_parser("add", help="签发一个密钥（只显示这一次）")
    key_add.add_argument("--system", required=True, help="调用方系统，如 12345热线")
    key_add.add_argument("--county", required=True, help="县区编码，如 xiaogan")
    key_add.add_argument("--center", help="推送来的案件由哪个中心接收")
    key_add.add_argument(
        "--scope",
        action="append",
        metavar="用途",
        help="intake（推送案件，默认）或 court（登记法院立案、开庭和结果）；两者都要可写两次或 "
        "intake,court",
    )
    key_add.add_argument(
        "--callback", metavar="回告地址", help="案件的状态变化、办结答复和评价推送到这里"
    )
    key_add.set_defaults(func=cmd_apikey_add)
    key_hook = key_sub.add_parser("callback", help="为已有密钥登记回告地址（签名密钥只显示这一次）")
    key_hook.add_argument("prefix", metavar="密钥前缀", help="密钥开头的字符（至少 10 个）")
    key_hook.add_argument("url", metavar="回告地址")
    key_hook.set_defaults(func=cmd_apikey_callback)


def parse_member(text: str) -> MembershipSpec:
    parts = text.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1] or len(parts) > 4:
        raise ValueError(f"岗位格式应为 中心:角色[:单位[:窗口]]，却是「{text}」")
    office = parts[2] if len(parts) > 2 and parts[2] else None
    window = parts[3] if len(parts) > 3 and parts[3] else None
    return MembershipSpec(parts[0], parts[1], office, window)


def cmd_user_add(args: argparse.Namespace) -> int:
    try:
        members = [parse_member(text) for text in args.member]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not members and not args.admin:
        print("请至少用 --member 指定一个岗位（或用 --admin 创建管理员）", file=sys.stderr)
        return 2
    db = make_engine(load_settings().database_url)
    try:
        return _add_user(db, args, members)
    finally:
        db.dispose()  # close pooled connections: a command must not leave sockets behind


def _add_user(db: Engine, args: argparse.Namespace, members: list[MembershipSpec]) -> int:
    if user_exists(db, args.username):
        print(f"用户「{args.username}」已存在", file=sys.stderr)
        return 1
    try:
        # A typo in --county must not quietly start a new, empty county.
        checked_county(db, args.county)
    except CountyError as error:
        print(error, file=sys.stderr)
        return 1
    problems = membership_problems_of(db, args.county, members)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not sys.stdin.isatty():
        # A script or a pipe: getpass would fail on the terminal with a traceback.
        print(
            "没有终端可以输入密码：请用 --password-stdin 从标准输入读取密码，"
            "例如 echo '密码' | yidi user add …… --password-stdin",
            file=sys.stderr,
        )
        return 2
    else:
        try:
            password = getpass.getpass("密码: ")
        except (EOFError, OSError):
            print("没有读到密码：请用 --password-stdin 从标准输入读取密码", file=sys.stderr)
            return 2
    if len(password) < 10:
        print("密码至少 10 个字符", file=sys.stderr)
        return 2
    create_user(
        db,
        args.username,
        password,
        display_name=args.name or args.username,
        county=args.county,
        memberships=members,
        is_admin=args.admin,
    )
    print(f"已创建用户「{args.username}」（{len(members)} 个岗位）")
    return 0


def cmd_county_add(args: argparse.Namespace) -> int:
    db = make_engine(load_settings().database_url)
    try:
        add_county(db, args.code, args.name)
    except CountyError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"已创建县区「{args.name}」（{args.code}）。下一步：")
    print(f"  yidi user add 用户名 --county {args.code} --admin    # 本县管理员")
    print("  以管理员登录 /console/，编写定义、检查并发布")
    return 0


def cmd_apikey_add(args: argparse.Namespace) -> int:
    db = make_engine(load_settings().database_url)
    try:
        uses = key_scopes.parse(args.scope)
        checked_county(db, args.county)
        token = create_api_key(db, args.system, args.county, args.center, uses)
    except (CountyError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.dispose()
    granted = "、".join(key_scopes.USES[u] for u in uses)
    print(f"已为「{args.system}」创建 API 密钥（用途：{granted}；只显示这一次，请妥善保存）：")
    print(token)
    if args.callback:
        return _set_callback(token[:10], args.callback)
    return 0


def cmd_apikey_callback(args: argparse.Namespace) -> int:
    return _set_callback(args.prefix, args.url)


def _set_callback(prefix: str, url: str) -> int:
    """Register the key's callback; prints the signing secret once (docs/integration.md)."""
    from engine import outbox

    db = make_engine(load_settings().database_url)
    try:
        with writer(db).begin() as conn:
            keys = conn.execute(
                select(KEYS.c.id).where(KEYS.c.prefix.startswith(prefix[:10]))
            ).all()
            if len(keys) != 1:
                print(f"没有或不止一个以「{prefix}」开头的 API 密钥", file=sys.stderr)
                return 1
            try:
                secret = outbox.register_callback(conn, keys[0].id, url)
            except ValueError as error:
                print(str(error), file=sys.stderr)
                return 1
    finally:
        db.dispose()
    print(f"回告地址已登记：{url}")
    print("签名密钥（只显示这一次，接收方用它校验 X-Yidi-Signature）：")
    print(secret)
    return 0
