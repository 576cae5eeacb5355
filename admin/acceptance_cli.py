"""`yidi accept DIR`: run a county's acceptance scenarios (DIR/features/*.feature) with the
step library in features/, on SQLite (or PostgreSQL when YIDI_TEST_DATABASE_URL is set).

The scenarios run under pytest in a child process, so a county's run is exactly what
`make test` runs for it; the exit status is pytest's (0 only when every scenario passed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = REPO / "features" / "test_features.py"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    accept = sub.add_parser("accept", help="运行一个县区的验收场景：目录/features/*.feature")
    accept.add_argument(
        "folder", type=Path, metavar="目录", help="县区定义目录，如 definitions/xiaogan"
    )
    accept.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        metavar="pytest参数",
        help="传给 pytest 的其他参数，如 -k 退单",
    )
    accept.set_defaults(func=cmd_accept)


def command(folder: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", str(STEPS), "-q", *extra]


def cmd_accept(args: argparse.Namespace) -> int:
    folder: Path = args.folder.resolve()
    features = folder / "features"
    if not folder.is_dir():
        print(f"找不到县区定义目录：{args.folder}", file=sys.stderr)
        return 2
    if not sorted(features.glob("*.feature")):
        print(f"{args.folder} 下没有验收场景（应放在 {features}/*.feature）", file=sys.stderr)
        return 2
    if not STEPS.is_file():
        print("此安装中没有验收步骤库 features/（请在源码仓库中运行）", file=sys.stderr)
        return 2
    env = {**os.environ, "YIDI_ACCEPT_DIR": str(folder)}
    extra = [a for a in args.pytest_args if a != "--"]
    return subprocess.call(command(folder, extra), cwd=REPO, env=env)
