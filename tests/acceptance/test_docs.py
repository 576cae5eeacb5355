"""docs/acceptance.md carries a reference of every step, generated from the step library."""

from __future__ import annotations

from features import gen_docs
from features.steps.phrases import CATALOGUE, shown


def test_reference_is_up_to_date() -> None:
    current = gen_docs.DOC.read_text(encoding="utf-8")
    assert gen_docs.render(current) == current, "运行 python -m features.gen_docs 更新步骤参考"


def test_reference_lists_every_step_in_both_languages() -> None:
    text = gen_docs.reference()
    for item in CATALOGUE:
        assert f"`{shown(item.zh)}`" in text
        assert f"`{shown(item.en)}`" in text


def test_check_mode_fails_on_a_stale_document(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "acceptance.md"
    stale.write_text(f"# x\n{gen_docs.BEGIN}\n旧内容\n{gen_docs.END}\n", encoding="utf-8")
    monkeypatch.setattr(gen_docs, "DOC", stale)
    assert gen_docs.main(["--check"]) == 1
    assert gen_docs.main([]) == 0
    assert gen_docs.main(["--check"]) == 0
    assert "旧内容" not in stale.read_text(encoding="utf-8")
