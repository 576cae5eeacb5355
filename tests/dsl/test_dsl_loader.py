"""Reading a county folder: which files are sources, and errors raised with every diagnostic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dsl_samples import BASE, FORM, replace_line

import dsl


def make(folder: Path, text: str = BASE) -> Path:
    (folder / "forms").mkdir(parents=True)
    (folder / "features").mkdir()
    (folder / "county.yd").write_text(text, encoding="utf-8")
    (folder / "forms" / "受理.json").write_text(json.dumps(FORM), encoding="utf-8")
    (folder / "README.md").write_text("# 测试县", encoding="utf-8")
    (folder / "features" / "派单.feature").write_text("功能: 派单", encoding="utf-8")
    (folder / "features" / "data.csv").write_text("a,b", encoding="utf-8")
    return folder


def test_load_files_keeps_only_definition_sources(tmp_path: Path) -> None:
    files = dsl.load_files(make(tmp_path / "county"))
    assert sorted(files) == ["county.yd", "forms/受理.json"]
    assert files["county.yd"] == BASE


def test_compile_county_uses_the_folder_name_or_a_given_key(tmp_path: Path) -> None:
    folder = make(tmp_path / "ceshi")
    assert dsl.compile_county(folder).key == "ceshi"
    assert dsl.compile_county(folder, key="other").key == "other"


def test_compile_county_raises_with_every_diagnostic(tmp_path: Path) -> None:
    text = replace_line(22, "分派 等级 一搬 -> 镇 司法局")
    with pytest.raises(dsl.DefinitionError) as raised:
        dsl.compile_county(make(tmp_path / "bad", text))
    assert [(d.line, d.column) for d in raised.value.diagnostics] == [(22, 7), (22, 15)]
    assert str(raised.value) == "定义有 2 处错误；county.yd:22:7: 未定义的等级「一搬」"
