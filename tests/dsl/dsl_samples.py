"""A small valid county, kept in memory, that tests mutate one line at a time."""

from __future__ import annotations

import json

import dsl

BASE = """\
县区 测试县 {
  编码 CS
  受理表单 受理
}
层级 县, 镇
中心 县中心 层级 县
中心 城关镇 层级 镇 上级 县中心 标签 城区
角色 窗口人员, 调度员, 调解员
单位 综治中心 {
  角色 窗口人员, 调度员, 调解员
  层级 县, 镇
}
单位 司法所 {
  角色 调解员
  驻点 轮驻 周二, 周四
  层级 镇
}
窗口 综合窗口 综合受理 单位 综治中心 层级 县
事项类型 婚姻家庭 { 离婚纠纷 }, 邻里纠纷
等级 一般, 较大
渠道 来访 现场, 12345, 线上
分派 等级 一般 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心
流程 简易 {
  步骤 派单 {
    办理人 调度员 @ 中心
    动作 派发 -> 办理
  }
  步骤 办理 {
    办理人 调解员 @ 承办单位
    动作 化解 办结
    动作 退回 退回 -> 派单
  }
}
"""

FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "受理",
    "type": "object",
    "properties": {
        "summary": {"type": "string", "title": "纠纷概要"},
        "category": {"type": "string", "title": "事项类型"},
        "severity": {"type": "string", "title": "等级"},
        "金额": {"type": "number", "title": "涉及金额"},
        "人数": {"type": "integer", "title": "涉及人数"},
        "location": {  # the intake convention (dsl/intake.py): a town, and maybe a village
            "type": "object",
            "title": "纠纷发生地",
            "properties": {"town": {"type": "string"}, "village": {"type": "string"}},
            "required": ["town"],
        },
    },
    "required": ["category", "severity", "location"],
}


def county_files(text: str = BASE, **extra: str) -> dict[str, str]:
    files = {"county.yd": text, "forms/受理.json": json.dumps(FORM, ensure_ascii=False)}
    files.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in extra.items()})
    return files


def problems(files: dict[str, str]) -> list[tuple[str, int, int, str, str]]:
    result = dsl.compile_files("test", files)
    return [(d.path, d.line, d.column, d.severity, d.message) for d in result.diagnostics]


def replace_line(number: int, new: str, text: str = BASE) -> str:
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"
