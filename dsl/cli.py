"""The `yidi` subcommands that belong to `dsl/`: check a county folder, draw a process."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from dsl.compiler import CompileResult, compile_files
from dsl.diagnostics import DefinitionError, format_diagnostic
from dsl.loader import load_files

# Warnings about the instance rather than the folder (the national holiday table lives in the
# database): other packages add a function returning Chinese messages, so that dsl/ imports
# nothing of ours. They never make `check` fail.
INSTANCE_WARNINGS: list[Callable[[], list[str]]] = []


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's subcommands to the `yidi` parser."""
    check = sub.add_parser("check", help="检查县区定义目录（语法与语义）")
    check.add_argument(
        "folder", type=Path, metavar="目录", help="县区定义目录，如 definitions/xiaogan"
    )
    check.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="提示语言（zh 中文，en 英文）"
    )
    check.set_defaults(func=cmd_check)
    graph = sub.add_parser("graph", help="把县区的一个流程画成 SVG 流程图")
    graph.add_argument("folder", type=Path, metavar="目录", help="县区定义目录")
    graph.add_argument("process", metavar="流程", help="流程名，如 五单制")
    graph.add_argument("-o", "--output", type=Path, help="SVG 写到这个文件（默认：标准输出）")
    graph.set_defaults(func=cmd_graph)


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when there are no errors (warnings allowed), 1 otherwise."""
    folder: Path = args.folder
    if not folder.is_dir():
        print(f"找不到定义目录：{folder}" if args.lang == "zh" else f"no such folder: {folder}")
        return 1
    try:
        files = load_files(folder)
    except DefinitionError as error:
        files, result = {}, CompileResult(None, error.diagnostics)
    else:
        result = compile_files(folder.name, files)
    for diagnostic in result.diagnostics:
        shown = format_diagnostic(diagnostic, files, args.lang)
        where = folder / diagnostic.path if diagnostic.path else folder
        print(f"{where}{shown[len(diagnostic.path) :]}")
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    for extra in INSTANCE_WARNINGS:
        for message in extra():
            print(f"{folder}: 警告: {message}")
            warnings += 1
    if args.lang == "en":
        print(f"{folder}: {errors} error(s), {warnings} warning(s)")
    else:
        print(f"{folder}：{errors} 个错误，{warnings} 个警告")
    return 1 if errors else 0


def cmd_graph(args: argparse.Namespace) -> int:
    from dsl.graph import process_svg

    try:
        files = load_files(args.folder) if Path(args.folder).is_dir() else {}
    except DefinitionError:
        files = {}
    result = compile_files(Path(args.folder).name, files)
    if result.county is None:
        print(f"{args.folder} 有错误，请先运行 yidi check {args.folder}", file=sys.stderr)
        return 1
    if args.process not in result.county.processes:
        known = "、".join(result.county.processes)
        print(f"没有名为「{args.process}」的流程；现有：{known}", file=sys.stderr)
        return 1
    svg = process_svg(result.county.processes[args.process])
    if args.output:
        Path(args.output).write_text(svg, encoding="utf-8")
    else:
        sys.stdout.write(svg)
    return 0
