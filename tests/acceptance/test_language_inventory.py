"""docs/language.md §12 lists every rule of the grammar with its runtime effect and the test
that proves it: a rule added to dsl/yidi.lark without a row, or a row naming a test that does
not exist, fails here (issue 15: no inert rule)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = ROOT / "dsl" / "yidi.lark"
DOC = ROOT / "docs" / "language.md"
HEADING = "## 12. 构造与运行效果一览"
# What a proof cell may say instead of naming a test.
MARKERS = ("检查拒绝：", "由定时任务/响应计时工作实现", "— ")
REFERENCE = re.compile(
    r"((?:tests|definitions)/[\w/.\-\u4e00-\u9fff]+?\.(?:py|feature))::([^；|（]+)"
)


def grammar_rules() -> set[str]:
    """Rule names and their `-> alias` names; not `_hidden` rules, keywords or terminals."""
    text = GRAMMAR.read_text(encoding="utf-8")
    names = set(re.findall(r"^\??([a-z][a-z0-9_]*)\s*:", text, flags=re.M))
    names |= set(re.findall(r"->\s*([a-z][a-z0-9_]*)\s*$", text, flags=re.M))
    return names


def rows() -> list[list[str]]:
    section = DOC.read_text(encoding="utf-8").split(HEADING, 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_every_grammar_rule_has_a_row() -> None:
    listed = {name for row in rows() for name in re.findall(r"`([a-z_0-9]+)`", row[0])}
    missing = sorted(grammar_rules() - listed)
    assert not missing, f"docs/language.md §12 缺少这些语法规则：{missing}"
    unknown = sorted(listed - grammar_rules())
    assert not unknown, f"docs/language.md §12 列出了语法里没有的规则：{unknown}"


def test_every_row_names_a_proof_that_exists() -> None:
    for row in rows():
        assert len(row) == 4, row
        proof = row[3]
        found = REFERENCE.findall(proof)
        assert found or any(m in proof for m in MARKERS), f"{row[0]} 没有证明：{proof}"
        for path, name in found:
            text = (ROOT / path).read_text(encoding="utf-8")
            name = name.strip()
            if path.endswith(".py"):
                assert f"def {name}(" in text, f"{path} 没有测试 {name}"
            else:
                assert name in text, f"{path} 没有场景「{name}」"


def test_the_grammar_scan_sees_the_rules() -> None:
    found = grammar_rules()
    assert {"county", "st_revisit", "e_reopen", "se_escalate", "v_false"} <= found
    assert not {n for n in found if n.startswith("_")}
