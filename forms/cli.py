"""The `yidi` subcommands that belong to `forms/`:

    yidi form render SCHEMA [--ui HINTS] [--data DATA]   prints the HTML form
    yidi form validate SCHEMA DATA                        prints errors as JSON; exit 1 if any
    yidi form check SCHEMA [--ui HINTS]                   prints definition problems; exit 1 if any

Exit status 2 means the schema (or a file) itself could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from forms.check import check_form_files
from forms.form import FormDefinitionError, load_form


def _ui_path(schema: Path, ui: str | None) -> Path | None:
    if ui:
        return Path(ui)
    sibling = schema.with_name(schema.name.removesuffix(".json") + ".ui.json")
    return sibling if sibling.exists() else None


def _problems(schema: Path, ui: Path | None) -> int:
    problems = check_form_files(schema, ui)
    for problem in problems:
        print(f"{problem.file}#{problem.pointer}: {problem.message}", file=sys.stderr)
    return 2 if problems else 0


def _read_data(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"无法读取数据文件 {path}：{error}", file=sys.stderr)
        return None


def cmd_render(args: argparse.Namespace) -> int:
    schema = Path(args.schema)
    ui = _ui_path(schema, args.ui)
    if _problems(schema, ui):
        return 2
    data = _read_data(args.data) if args.data else None
    if args.data and not isinstance(data, dict):
        return 2
    form = load_form(schema, ui)
    errors = form.validate(data) if data is not None and args.errors else None
    print(form.display(data) if args.display and data else form.render(data, errors))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    schema = Path(args.schema)
    ui = _ui_path(schema, args.ui)
    if _problems(schema, ui):
        return 2
    data = _read_data(args.data)
    if data is None:
        return 2
    try:
        form = load_form(schema, ui)
    except FormDefinitionError as error:
        print(str(error), file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        errors = [{"path": "", "message": "数据的顶层必须是 JSON 对象"}]
    else:
        errors = [{"path": e.path, "message": e.message} for e in form.validate(data)]
    print(json.dumps(errors, ensure_ascii=False, indent=2))
    return 1 if errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    schema = Path(args.schema)
    status = _problems(schema, _ui_path(schema, args.ui))
    return 1 if status else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's subcommands to the `yidi` parser."""
    form = sub.add_parser("form", help="表单：生成 HTML、校验数据、检查表单定义")
    actions = form.add_subparsers(dest="form_command", metavar="操作", required=True)

    render = actions.add_parser("render", help="输出表单的 HTML")
    render.add_argument("schema", metavar="表单定义", help="表单定义文件（JSON Schema 2020-12）")
    render.add_argument("--ui", help="界面提示文件（默认：同目录的 名称.ui.json）")
    render.add_argument("--data", help="要填入的 JSON 数据")
    render.add_argument("--errors", action="store_true", help="同时显示校验错误")
    render.add_argument("--display", action="store_true", help="以只读方式显示 --data")
    render.set_defaults(func=cmd_render)

    validate = actions.add_parser("validate", help="校验 JSON 数据；不通过时退出码为 1")
    validate.add_argument("schema", metavar="表单定义", help="表单定义文件（JSON Schema 2020-12）")
    validate.add_argument("data", metavar="数据", help="JSON 数据文件")
    validate.add_argument("--ui", help="界面提示文件（自定义提示语）")
    validate.set_defaults(func=cmd_validate)

    check = actions.add_parser("check", help="检查表单定义及其界面提示")
    check.add_argument("schema", metavar="表单定义", help="表单定义文件（JSON Schema 2020-12）")
    check.add_argument("--ui", help="界面提示文件（默认：同目录的 名称.ui.json）")
    check.set_defaults(func=cmd_check)
