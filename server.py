"""yidi's entry point: the Starlette application and the `yidi` command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

try:  # uvicorn's C parser when installed (uvicorn[standard]), else its pure-Python one
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HTTPProtocol
except ImportError:  # pragma: no cover - depends on what is installed
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HTTPProtocol  # type: ignore[assignment]

import admin.acceptance_cli
import admin.attachments
import admin.calendar_cli
import admin.cli
import admin.cli_help
import admin.demo
import admin.legacy_attachments
import dsl.cli
import engine.cli
import engine.outbox
import engine.worker
import forms.cli
from admin import routes as admin_routes
from admin.errors import EXCEPTION_HANDLERS
from admin.health import favicon, healthz, readyz
from admin.limits import (
    HEADER_TIMEOUT_SECONDS,
    MAX_REQUEST_HEAD,
    RequestLimitsMiddleware,
    bad_request_bytes,
    head_too_large_bytes,
    request_timeout_bytes,
)
from admin.request_log import RequestLogMiddleware
from admin.security import CSRFMiddleware, SecurityHeadersMiddleware
from admin.session import SessionMiddleware
from engine import schema
from engine.db import make_engine
from engine.registry import County
from engine.settings import Settings, load_settings
from forms import routes as form_routes

STATIC = Path(__file__).parent / "admin" / "static"
DEFINITIONS = Path(__file__).parent / "definitions"
WORKER_HEALTHCHECK_SECONDS = 60  # see cmd_serve
# Each module adds its own subcommands, so that this file never has to know them.
COMMAND_MODULES = (
    dsl.cli,
    forms.cli,
    engine.cli,
    admin.cli,
    admin.calendar_cli,
    admin.acceptance_cli,
    admin.legacy_attachments,
)


def _sweep_attachments(db: Engine) -> None:
    admin.attachments.sweep(db, load_settings().data_dir)


# The timer worker (inside `yidi serve`, or `yidi worker`) also clears away uploads that no
# case refers to; the engine cannot import the web side, so the chore is wired in here.
engine.worker.register_chore(
    engine.worker.Chore("附件清理", admin.attachments.SWEEP_EVERY, _sweep_attachments)
)
# Replies to the systems that pushed cases in (engine/outbox.py): due deliveries, every 2 s.
engine.worker.register_chore(engine.worker.Chore("回告推送", 2.0, engine.outbox.chore))


def create_app(settings: Settings, db: Engine | None = None) -> Starlette:
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/forms", routes=form_routes.routes()),
        *admin_routes.routes(),
    ]
    # Outermost first: every response is logged and gets the security headers, even errors;
    # the request layer's limits and text checks come before anything reads the request; the
    # CSRF check needs the session, so it runs inside it.
    middleware = [
        Middleware(RequestLogMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(RequestLimitsMiddleware),
        Middleware(SessionMiddleware, secret_key=settings.secret_key),
        Middleware(CSRFMiddleware),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.settings = settings
    app.state.db = db if db is not None else make_engine(settings.database_url)
    return app


def asgi_app() -> Starlette:
    """The app built from the environment's settings: what each `yidi serve --workers N`
    process calls (uvicorn starts worker processes from an import string, not an object)."""
    settings = load_settings()
    _configure_logging(settings.log_level)
    app = create_app(settings)
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Move everything built at start-up (a quarter of a million objects: grammars, schemas,
    templates, SQLAlchemy's tables) out of the garbage collector's sight. They live as long as
    the process, and each full collection walked them all, 0.1-0.2 s during which a worker
    answers nothing: that pause was most of the inbox's p99."""
    gc.collect()
    gc.freeze()


class NoDelayHTTPProtocol(_HTTPProtocol):
    """uvicorn's HTTP protocol with Nagle's algorithm off on every accepted connection, and a
    time limit on a request's head (request line and headers).

    With several workers uvicorn binds the listening socket itself without naming the TCP
    protocol, so asyncio does not recognise the accepted sockets as TCP and leaves Nagle on
    (uvicorn issue #3149): a keep-alive client then waits about 40 ms for each small response's
    last segment. One worker (asyncio binds the socket) is not affected; setting it twice is
    harmless.

    uvicorn times out only an idle keep-alive connection between requests: a connection that
    sends nothing, or its headers a byte at a time (slowloris), stayed open for good, and a
    few thousand of them use up the process's file descriptors. Here a request's head must
    arrive within HEADER_TIMEOUT_SECONDS of the connection (or of the request's first byte on
    a kept-alive connection), or the connection gets a Chinese 408 and is closed. The body is
    the request layer's (admin/limits.py)."""

    _head_timer: asyncio.TimerHandle | None = None
    _head = b""  # the request head received so far, until its blank line

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._arm_head_timer()  # a new request's first bytes (or more of its head)
            if self._head_too_large(data):
                return
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm_head_timer()  # its head is in: the application has the request

    def _head_too_large(self, data: bytes) -> bool:
        """Count the head of the request now arriving; past MAX_REQUEST_HEAD answer the Chinese
        400 and close (neither httptools nor h11, for a head read at once, limits it)."""
        seen = len(self._head)
        head = self._head = self._head + data
        end = head.find(b"\r\n\r\n", max(0, seen - 3))  # only where the new bytes can end it
        size = end + 4 if end >= 0 else len(head)
        if end >= 0:
            self._head = b""  # its head is in; what follows is the body or the next request
        if size <= MAX_REQUEST_HEAD:
            return False
        self._head = b""
        self._disarm_head_timer()
        self.transport.write(head_too_large_bytes())
        self.transport.close()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered: not ours to cut
        self.transport.write(request_timeout_bytes())
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's own answer to a request it cannot parse (a request line or headers past
        its buffer, malformed HTTP) is a bare English 400 without our headers: answer in
        Chinese with the security headers instead, and close as uvicorn does."""
        self.transport.write(bad_request_bytes())
        self.transport.close()


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


# --- commands -----------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    _configure_logging(settings.log_level)
    db = make_engine(settings.database_url)
    schema.upgrade(db)
    demo_accounts = _first_run(db)
    # Files of the old single store go to their counties' folders (a listing when none left).
    admin.legacy_attachments.migrate(db, settings.data_dir)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"yidi 一地 正在运行: http://{host}:{port}/  (数据库: {db.url.render_as_string()})")
    if demo_accounts:
        print_demo_chains(db, len(demo_accounts), f"http://{host}:{port}/start")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "access_log": False,
        "http": NoDelayHTTPProtocol,
        **proxy_options(),
        # The request line and headers may take this many bytes while they arrive in pieces
        # (h11's default is 16 KB); the app refuses a target over 8 KB with a Chinese 414.
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD,
    }
    with engine.worker.embedded(db):  # fires deadlines' timers in this (supervising) process
        if args.workers > 1:
            # Each worker builds its own app (and database pool) from the same environment.
            # uvicorn's supervisor kills a worker that has not answered its health ping within
            # `timeout_worker_healthcheck` (5 s by default) and starts another; a new worker
            # first imports this whole module (its protocol class travels by name), which takes
            # longer than that on a busy two-core machine, so with the default a restarted
            # server killed and respawned its workers for ever and never answered.
            uvicorn.run(
                "server:asgi_app",
                factory=True,
                workers=args.workers,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                **options,
            )
        else:
            app = create_app(settings, db)
            freeze_startup_objects()
            uvicorn.run(app, **options)
    return 0


def print_demo_chains(db: Engine, count: int, start_url: str) -> None:
    """Which of the demo accounts to use: per county, one per step of the chain."""
    from admin.demo_chain import chain_text
    from admin.start_page import demo_counties
    from engine.versions import current_county

    print(
        f"已创建 {count} 个演示账号（默认密码 {admin.demo.demo_password()}，正式使用前请修改）。"
        "按办案顺序，每个环节用这些账号登录："
    )
    for county in demo_counties(db):
        for line in chain_text(current_county(db, county.key)):
            print(line)
    print(f"这张表也在 {start_url}（登录页有链接）。")


def proxy_options() -> dict[str, Any]:
    """X-Forwarded-For is believed only from the proxies named in YIDI_TRUSTED_PROXIES.

    uvicorn believes it from 127.0.0.1 by default: any local process (or a proxy that passes
    the header through) could then pick a fresh address for each password guess and walk past
    the per-address login limits (admin.throttle)."""
    trusted = os.environ.get("YIDI_TRUSTED_PROXIES", "").strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _first_run(db: Engine) -> list[admin.demo.DemoAccount]:
    """On an empty database: publish the demo counties and create their demo accounts."""
    from engine import versions

    with db.connect() as connection:
        has_county = connection.execute(select(County.id).limit(1)).first() is not None
    keys = [] if has_county else versions.load_demo(db, DEFINITIONS)
    models = [versions.current_county(db, key) for key in keys]
    return admin.demo.create_demo_accounts(db, models) if models else []


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = make_engine(settings.database_url)
    schema.upgrade(db)
    print("数据库已升级到最新版本: " + ", ".join(sorted(schema.current_heads(db))))
    return 0


Register = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]


def build_parser() -> argparse.ArgumentParser:
    admin.cli_help.install()
    parser = admin.cli_help.ChineseParser(
        prog="yidi", description="一地 yidi：县级矛盾纠纷调处化解的流程与表单服务"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", required=True)

    serve = sub.add_parser("serve", help="升级数据库、首次运行时载入演示县区，并启动网站")
    serve.add_argument("--host", help="监听地址（默认：YIDI_HOST 或 127.0.0.1）")
    serve.add_argument("--port", type=int, help="端口（默认：YIDI_PORT 或 8000）")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="网站工作进程数（默认 1；SQLite 上以 WAL 模式共用一个文件）",
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="数据库维护（迁移）")
    db_sub = db.add_subparsers(dest="db_command", metavar="操作", required=True)
    db_sub.add_parser("upgrade", help="执行全部未执行的数据库迁移").set_defaults(
        func=cmd_db_upgrade
    )
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
    except BrokenPipeError:
        # The reader went away (`yidi calendar show | head`): stop quietly, as Unix tools do.
        # Python would report the failed flush of stdout at exit; point stdout at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return result


if __name__ == "__main__":
    sys.exit(main())
