"""The benchmark's generated county is itself valid (so the benchmark measures a real compile)."""

from __future__ import annotations

import json

import dsl
from bench.language import FORM, generate


def test_generated_county_compiles_cleanly() -> None:
    text = generate(1)
    result = dsl.compile_files("bench", {"county.yd": text, "forms/受理.json": json.dumps(FORM)})
    assert result.diagnostics == []
    assert result.county is not None and len(result.county.processes) == 1
    assert len(generate(2000).splitlines()) >= 2000
