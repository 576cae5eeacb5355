"""`yidi check` of the court link (法院对接, dsl/court.py): each mistake refused with its
Chinese message, on 如皋's definition with its court block changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
from dsl.model import Duration

RUGAO = Path(__file__).resolve().parents[2] / "definitions" / "rugao"
BLOCK_START = "法院对接 法院 {"


def files_with(block: str, **changes: tuple[str, str]) -> dict[str, str]:
    files = {
        str(p.relative_to(RUGAO)): p.read_text(encoding="utf-8")
        for p in RUGAO.rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }
    text = files["county.yd"]
    start = text.index(BLOCK_START)
    end = text.index("\n}\n", start) + 3
    files["county.yd"] = text[:start] + block + text[end:]
    for path, (old, new) in changes.items():
        assert old in files[path]
        files[path] = files[path].replace(old, new)
    return files


def errors(files: dict[str, str]) -> list[str]:
    result = dsl.compile_files("rugao", files)
    return [d.message for d in result.diagnostics if d.severity == "error"]


GOOD = """法院对接 法院 {
  联络员 法院联络员
  移送 诉讼, 速裁
  退回调解 -> 调解
  司法确认 judicial_confirmation
  委派 法院委派 时限 30 天
}
"""


def test_the_seed_declaration_compiles_to_the_court_link() -> None:
    county = dsl.compile_county(RUGAO)
    link = county.court
    assert link is not None
    assert (link.court, link.liaison, link.hand_offs, link.back_to) == (
        "法院",
        "法院联络员",
        ("诉讼", "速裁"),
        "调解",
    )
    assert link.confirmation_field == "judicial_confirmation"
    assert link.referrals["法院委派"].default == Duration(30, "day")


def test_english_keywords_compile_the_same() -> None:
    english = """court_link 法院 {
  liaison 法院联络员
  hand_off 诉讼, 速裁
  back_to -> 调解
  confirmation judicial_confirmation
  referral 法院委派 deadline 30 天
}
"""
    result = dsl.compile_files("rugao", files_with(english))
    assert result.county is not None and result.county.court is not None
    link = result.county.court
    assert (link.liaison, link.hand_offs, link.back_to, link.confirmation_field) == (
        "法院联络员",
        ("诉讼", "速裁"),
        "调解",
        "judicial_confirmation",
    )
    assert link.referrals["法院委派"].default == Duration(30, "day")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (GOOD.replace("法院对接 法院", "法院对接 人民法院"), "未定义的单位「人民法院」"),
        (
            GOOD.replace("联络员 法院联络员", "联络员 调度员"),
            "单位「法院」没有角色「调度员」：法院联络员须是法院单位的角色",
        ),
        (GOOD.replace("  联络员 法院联络员\n", ""), "缺少法院联络员（联络员 角色）"),
        (GOOD.replace("移送 诉讼, 速裁", "移送 起诉"), "未定义的引导去向「起诉」"),
        (GOOD.replace("委派 法院委派", "委派 法院转来"), "未定义的渠道「法院转来」"),
        (
            GOOD.replace("退回调解 -> 调解", "退回调解 -> 重新调解"),
            "流程「前店后厂」没有步骤「重新调解」：法院退回的案件无处可去",
        ),
        (
            GOOD.replace("  退回调解 -> 调解\n", ""),
            "缺少退回调解的步骤（退回调解 -> 步骤）：法院退回或不予确认时案件回到哪一步",
        ),
        (
            GOOD.replace("司法确认 judicial_confirmation", "司法确认 申请确认"),
            "没有任何表单有是/否字段「申请确认」：司法确认无从申请",
        ),
        (
            "法院对接 法院 {\n  联络员 法院联络员\n}\n",
            "法院对接没有声明任何内容：请写 移送、司法确认 或 委派",
        ),
        (GOOD + GOOD, "法院对接只能声明一次"),
        (
            GOOD.replace(
                "委派 法院委派 时限 30 天", "委派 法院委派 时限 30 天\n  委派 法院委派 时限 20 天"
            ),
            "委派渠道「法院委派」重复声明",
        ),
    ],
)
def test_mistakes_are_refused_in_chinese(block: str, message: str) -> None:
    assert message in errors(files_with(block))


def test_a_hand_off_without_outcome_is_refused() -> None:
    files = files_with(
        GOOD,
        **{
            "county.yd": (
                '引导 速裁 "速裁法庭（调解不成的）" -> 法院',
                "引导 速裁 -> 法院 无需回告",
            )
        },
    )
    assert "移送法院的「速裁」不能是「无需回告」的引导：法院的结果须登记" in errors(files)


def test_yidi_check_prints_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from server import main

    folder = tmp_path / "rugao"
    for path, text in files_with(GOOD.replace("移送 诉讼, 速裁", "移送 起诉")).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    assert main(["check", str(folder)]) == 1
    assert "未定义的引导去向「起诉」" in capsys.readouterr().out
