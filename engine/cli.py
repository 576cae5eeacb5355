"""The `yidi` subcommands that belong to `engine/`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's subcommands to the `yidi` parser."""
    register_worker(sub)
    register_cases(sub)


# --- yidi worker: the timer worker (engine/worker.py) -----------------------------------------


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}”不是秒数") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"轮询间隔必须大于 0 秒（收到 {value}）")
    return seconds


def _batch_size(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}”不是整数") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"批量大小必须至少为 1（收到 {value}）")
    return size


def register_worker(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    worker = sub.add_parser(
        "worker",
        help="运行定时工作进程：提醒、督办、亮灯、提级和定时任务（回访抽样、排查轮次、预警研判）",
        description="持续触发到期的定时器，直到被停止（SIGTERM / Ctrl-C）。"
        "PostgreSQL 上可同时运行多个。",
    )
    worker.add_argument(
        "--poll", type=_positive_seconds, default=1.0, help="两次轮询之间的秒数（默认 1）"
    )
    worker.add_argument(
        "--batch", type=_batch_size, default=500, help="每个事务处理的定时器数（默认 500）"
    )
    worker.add_argument(
        "--once",
        action="store_true",
        help="只运行一次：触发已到期的定时器、到期的定时任务和清理工作，然后退出",
    )
    worker.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    # Imported here so that `yidi --help` does not load the database stack.
    import signal
    import sys
    import threading

    from engine import scheduler, schema, timers, worker
    from engine.clock import SystemClock
    from engine.db import make_engine
    from engine.settings import load_settings

    settings = load_settings()
    db = make_engine(settings.database_url)
    try:
        if not schema.is_current(db):
            print("数据库尚未升级到最新版本，请先运行 yidi db upgrade", file=sys.stderr)
            return 2
        worker.load_handler_modules()
        handler, clock = timers.DEFAULT_DISPATCHER, SystemClock()
        if args.once:
            fired = timers.fire_due(db, clock, handler, batch=args.batch)
            ran = scheduler.run_due(db, clock.now(), worker_id=timers.default_worker_id())
            worker.run_chores(db)
            print(f"已触发 {fired} 个定时器，运行 {ran} 个定时任务")
            return 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        print(f"yidi 定时器工作进程已启动（每 {args.poll:g} 秒检查一次；Ctrl-C 停止）", flush=True)
        worker.run_worker(
            db, clock, handler, poll_interval=args.poll, stop_event=stop, batch=args.batch
        )
        print("yidi 定时器工作进程已停止")
        return 0
    finally:
        db.dispose()


# --- yidi cases: moving running cases between definition versions (engine/migration.py) ------


def register_cases(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cases = sub.add_parser("cases", help="在办案件：迁移到新的定义版本")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="操作", required=True)
    migrate = cases_sub.add_parser("migrate", help="预演（默认）或执行版本迁移")
    migrate.add_argument("county", metavar="县区", help="县区编码，如 xiaogan")
    migrate.add_argument("--to", type=int, help="目标版本号（默认：当前版本）")
    migrate.add_argument("--apply", action="store_true", help="执行迁移（迁移能对应上的案件）")
    migrate.set_defaults(func=cmd_cases_migrate)


def cmd_cases_migrate(args: argparse.Namespace) -> int:
    from engine.cases_cli import migrate_command

    return migrate_command(args.county, args.to, apply=args.apply)
