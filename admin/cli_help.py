"""The `yidi` command line speaks Chinese: argparse's own words (usage, options, errors) and
the placeholders of options (--county 县区) are translated here; each command's help texts
are written in Chinese where the command is registered."""

from __future__ import annotations

import argparse
from typing import Any

# argparse looks its words up through its module-level `_` (gettext) at call time.
ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选择：%(value)r（可选：%(choices)s）"
    ),
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "有歧义的选项：%(option)s 可能是 %(matches)s"
    ),
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
}

# The placeholder shown after an option, by the option's destination.
PLACEHOLDERS = {
    "host": "地址",
    "port": "端口",
    "workers": "进程数",
    "county": "县区",
    "name": "名称",
    "system": "系统",
    "center": "中心",
    "by": "导入人",
    "lang": "语言",
    "output": "文件",
    "poll": "秒",
    "batch": "条数",
    "to": "版本号",
    "ui": "界面提示",
    "data": "数据",
}


def _translate(text: str) -> str:
    return ARGPARSE_WORDS.get(text, text)


class ChineseHelp(argparse.HelpFormatter):
    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return PLACEHOLDERS.get(action.dest, action.dest.upper())

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return PLACEHOLDERS.get(action.dest, action.dest)


class ChineseParser(argparse.ArgumentParser):
    """Its subcommands' parsers are of this class too (argparse's parser_class default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelp)
        super().__init__(*args, **kwargs)


def install() -> None:
    argparse._ = _translate  # type: ignore[attr-defined]
