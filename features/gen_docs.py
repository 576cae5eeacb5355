"""Generates the step reference of docs/acceptance.md from the step definitions.

    python -m features.gen_docs           # rewrite the reference section
    python -m features.gen_docs --check   # exit 1 when the document is out of date

Only the part between the two markers is generated; the guide around it is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import features.steps  # noqa: F401  -- importing the modules fills the catalogue
from features.steps.phrases import CATALOGUE, Phrase, shown

DOC = Path(__file__).resolve().parents[1] / "docs" / "acceptance.md"
BEGIN = "<!-- 步骤参考：由 python -m features.gen_docs 生成，请勿手改 -->"
END = "<!-- 步骤参考结束 -->"
GROUPS = {
    "准备": "准备 / Setup",
    "受理": "受理 / Intake",
    "办理": "办理 / Acting",
    "时间": "时间 / Time",
    "检查": "检查 / Checks",
    "统计": "统计 / Figures",
    "函件": "函件 / Letters",  # features/steps/letters.py
}


def _entry(item: Phrase) -> list[str]:
    lines = [
        f"#### `{shown(item.zh)}`",
        "",
        f"English: `{shown(item.en)}`",
        "",
        item.doc,
        "",
    ]
    if item.table:
        lines += [f"数据表：{item.table}", ""]
    lines += ["```gherkin", item.example_zh, item.example_en, "```", ""]
    return lines


def reference() -> str:
    lines = [BEGIN, ""]
    for group, title in GROUPS.items():
        lines += [f"### {title}", ""]
        for item in (p for p in CATALOGUE if p.group == group):
            lines += _entry(item)
    lines.append(END)
    return "\n".join(lines)


def render(current: str) -> str:
    """The document with its reference section regenerated."""
    if BEGIN not in current or END not in current:
        raise SystemExit(f"{DOC} 缺少生成标记 {BEGIN} … {END}")
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + reference() + tail


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print(f"{DOC} 的步骤参考已过期：运行 python -m features.gen_docs", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    print(f"已更新 {DOC}（{len(CATALOGUE)} 个步骤）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
