"""`yidi check` refuses a response time (`响应 30 分钟`) the engine could not honour: nobody of
the routed office works a step of the process, or the process declares no supervision for a
response that runs out (docs/language.md, 「响应」)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server import main

PUTUO = Path(__file__).resolve().parents[2] / "definitions" / "putuo"


def putuo_copy(folder: Path, *changes: tuple[str, str, str]) -> Path:
    """definitions/putuo with each (file, old, new) replaced once."""
    shutil.copytree(PUTUO, folder)
    for name, old, new in changes:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_putuo_as_published_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(putuo_copy(tmp_path / "putuo"))]) == 0


def test_a_response_nobody_supervises_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = putuo_copy(
        tmp_path / "putuo",
        ("processes.yd", "    超时 亮 红, 督办 督办员 @ 区\n", "    超时 亮 红\n"),
        ("processes.yd", "      超时 督办 督办员 @ 区\n", ""),
    )
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    message = "分派规则写了响应时限，但流程「普陀调处」的时限里没有写督办"
    assert out.count(message) == 2  # both island routes
    assert "county.yd:110:" in out and "county.yd:111:" in out
    assert "响应超时无人督办" in out


def test_a_response_nobody_of_the_routed_office_could_give_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = putuo_copy(
        tmp_path / "putuo",
        (
            "county.yd",
            "分派 事项 信访事项 -> 区 信访局 流程 信访分流\n",
            "分派 事项 信访事项 -> 区 法院诉讼服务中心 流程 信访分流 响应 2 小时\n",
        ),
    )
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert (
        "分派规则写了响应时限，但流程「信访分流」没有由承办单位（「法院诉讼服务中心」）办理的步骤，"
        "无人能响应"
    ) in out
