"""Compile speed of the county definition language: `python -m bench.language`.

Generates a 2,000-line county (centers, offices, categories, routes and processes), then prints,
in the same run, the median time of the full compile (parse + transform + every check + hash) and
of Lark alone parsing the same text, and their ratio.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from dsl import compile_files
from dsl.parser import lark_parser

RUNS = 7
FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "summary": {"type": "string", "title": "纠纷概要"},
        "category": {"type": "string", "title": "事项类型"},
        "severity": {"type": "string", "title": "等级"},
        "location": {
            "type": "object",
            "properties": {"town": {"type": "string"}},
            "required": ["town"],
        },
    },
    "required": ["category", "severity", "location"],
}


def _organisation(towns: int) -> list[str]:
    lines = [
        "县区 基准县 {", "  编码 BM", "  受理表单 受理", "  默认流程 流程0", "}",
        "层级 县, 镇, 村",
        "中心 县中心 层级 县",
        "角色 窗口人员, 调度员, 调解员, 督办员, 回访员, 负责人",
        "单位 综治中心 {",
        "  角色 窗口人员, 调度员, 调解员, 督办员, 回访员, 负责人",
        "  层级 县, 镇",
        "}",
        "窗口 综合窗口 综合受理 单位 综治中心 层级 县, 镇",
        "等级 一般, 较大, 重大",
        "渠道 来访 现场, 12345, 网格, 线上",
        "兜底 窗口 综合窗口 单位 综治中心",
    ]  # fmt: skip
    for t in range(towns):
        lines.append(f"中心 镇{t} 层级 镇 上级 县中心 标签 片区{t % 5}")
        lines += [f"中心 镇{t}村{v} 层级 村 上级 镇{t}" for v in range(8)]
    return lines


def _offices_and_routes(count: int) -> list[str]:
    lines = []
    for o in range(count):
        lines += [
            f"单位 调委会{o} {{", "  类型 调委会", "  角色 调解员, 负责人",
            f"  驻点 轮驻 周{'一二三四五'[o % 5]}", "  层级 镇", "}",
        ]  # fmt: skip
        lines.append(f"事项类型 大类{o} {{ 小类{o}甲, 小类{o}乙 }}")
        lines.append(
            f"分派 事项 大类{o} 等级 一般, 较大 标签 片区{o % 5} -> 镇 调委会{o} 响应 30 分钟 到场"
        )
    return lines


def _process(p: int) -> list[str]:
    lines = [
        f"流程 流程{p} {{", "  整体时限 {", "    等级 一般 3 天, 较大 20 天",
        "    到 80% 提醒, 亮 黄", "    超时 亮 红, 督办 督办员 @ 县", "  }",
    ]  # fmt: skip
    for s in range(10):
        nxt = f"-> 步骤{s + 1}" if s < 9 else "办结"
        lines += [
            f"  步骤 步骤{s} {{", "    办理人 调解员 @ 承办单位", f"    动作 通过 {nxt}",
            f"    动作 退回 退回 -> 步骤{max(s - 1, 0)} 当 案件.等级 属于 [一般, 较大]",
            "    时限 2 工作日", "  }",
        ]  # fmt: skip
    return [*lines, "}"]


def generate(target_lines: int = 2000) -> str:
    lines = _organisation(40) + _offices_and_routes(60)
    p = 0
    while p == 0 or len(lines) < target_lines:
        lines += _process(p)
        p += 1
    return "\n".join(lines) + "\n"


def median_seconds(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    text = generate()
    files = {"county.yd": text, "forms/受理.json": json.dumps(FORM)}
    result = compile_files("bench", files)
    if result.county is None:
        print("\n".join(d.message for d in result.diagnostics[:5]))
        return 1
    parser = lark_parser()
    lark_alone = median_seconds(lambda: parser.parse(text + "\n"))
    full = median_seconds(lambda: compile_files("bench", files))
    lines = text.count("\n")
    county = result.county
    print(
        f"county definition: {lines} lines, {len(county.centers)} centers, "
        f"{len(county.processes)} processes, {len(county.routes)} routes"
    )
    print(f"Lark alone (parse only)        median of {RUNS}: {lark_alone * 1000:8.1f} ms")
    print(f"yidi compile (parse + checks)  median of {RUNS}: {full * 1000:8.1f} ms")
    print(f"ratio compile / Lark alone: {full / lark_alone:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
