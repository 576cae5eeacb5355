"""函件 declarations: the kinds `yidi check` accepts, and every mistake refused in Chinese."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import dsl
from dsl.model import Duration

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dsl"))
from dsl_samples import BASE, county_files

GOOD = """
函件 督办函 "督办函" {
  文号 "测督函〔{年}〕{号}号"
  收件单位 司法所
  回复时限 5 工作日
  签发 调度员
  正文 "{收件单位}："
  正文 "{案件编号}（{事项类型}，涉及金额 {数据.金额}）请于{回复期限}前回复。"
}
letter 预警函 "风险预警函" {
  number "测预警〔{year}〕{serial}号"
  addressees 司法所, 综治中心
  reply_within 3 天
  calendar 法定工作日
  issued_by 调度员, 调解员
  body "{收件单位}：{事由}"
}
"""


def compiled(extra: str) -> dsl.CompileResult:
    return dsl.compile_files("test", county_files(BASE + extra))


def messages(extra: str) -> list[str]:
    return [d.message for d in compiled(extra).diagnostics if d.severity == "error"]


def test_letter_kinds_compile_in_chinese_and_english() -> None:
    result = compiled(GOOD)
    assert result.errors == []
    county = result.county
    assert county is not None
    duban = county.letters["督办函"]
    assert duban.title == "督办函"
    assert duban.number_pattern == "测督函〔{年}〕{号}号"
    assert duban.addressees == ("司法所",)
    assert duban.reply_within == Duration(5, "workday")
    assert duban.issuers == ("调度员",)
    assert len(duban.body) == 2
    assert duban.needs_case is True  # names the case's facts: issued from a case only
    warning = county.letters["预警函"]
    assert warning.title == "风险预警函"
    assert warning.addressees == ("司法所", "综治中心")
    assert warning.calendar == "法定工作日"
    assert warning.needs_case is False


def test_a_county_without_letters_keeps_its_hash() -> None:
    plain = dsl.compile_files("test", county_files()).county
    with_letters = compiled(GOOD).county
    assert plain is not None and with_letters is not None
    assert plain.letters == {}
    assert plain.content_hash != with_letters.content_hash


def kind(**lines: str) -> str:
    parts = {
        "文号": '"测督函〔{年}〕{号}号"',
        "收件单位": "司法所",
        "回复时限": "5 工作日",
        "签发": "调度员",
        "正文": '"{收件单位}：请回复。"',
    }
    parts.update(lines)
    body = "\n".join(f"  {k} {v}" for k, v in parts.items() if v)
    return f"\n函件 督办函 {{\n{body}\n}}\n"


def test_bad_declarations_are_refused_in_chinese() -> None:
    assert messages(kind(文号='"测督函〔{年}〕号"')) == [
        "文号格式「测督函〔{年}〕号」须恰好含一个 {年} 和一个 {号}"
        "（文号按县区、类型、年份连续编号）"
    ]
    assert messages(kind(文号='"测督函{月}{年}{号}"')) == [
        "文号格式里的「{月}」无法填写：只能用 {年} 和 {号}"
    ]
    assert messages(kind(文号='"测督函{年}{号"')) == ["文号格式「测督函{年}{号」的花括号不成对"]
    assert messages(kind(收件单位="司法局")) == ["未定义的单位「司法局」"]
    assert messages(kind(签发="书记")) == ["未定义的角色「书记」"]
    assert messages(kind(回复时限="5 周")) == ["未定义的时间单位「周」"]
    assert messages(kind(日历="节假日")) == ["未定义的日历「节假日」"]
    assert messages(kind(正文='"{收件人}：请回复"'))[0].startswith(
        "正文里的「{收件人}」无法填写（可用：{文号}、"
    )
    assert messages(kind(正文='"{数据.面积}"')) == [
        "正文里的「{数据.面积}」：受理表单没有字段「面积」"
    ]
    assert messages(kind(正文='"请于{回复期限前回复"')) == [
        "正文「请于{回复期限前回复」的花括号不成对"
    ]


def test_missing_statements_are_named() -> None:
    assert messages(kind(文号="", 收件单位="", 回复时限="", 签发="", 正文="")) == [
        '缺少函件「督办函」的文号格式（文号 "…〔{年}〕{号}号"）',
        "缺少函件「督办函」的收件单位（收件单位 单位名）",
        "缺少函件「督办函」的签发角色（签发 角色名）",
        "缺少函件「督办函」的回复时限（回复时限 5 工作日）",
        '缺少函件「督办函」的正文（正文 "…"，可写多行）',
    ]


def test_a_kind_declared_twice_and_a_statement_written_twice() -> None:
    assert any("函件类型「督办函」重复定义" in m for m in messages(kind() + kind()))
    assert "此项在同一处重复书写，只能写一次" in messages(
        kind(回复时限="5 工作日\n  回复时限 3 天")
    )


def test_yidi_check_refuses_a_bad_letter_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import admin.calendar_cli
    from engine.clock import ManualClock
    from server import main

    june = ManualClock(datetime(2026, 6, 1, tzinfo=UTC))  # no national-table warning
    monkeypatch.setattr(admin.calendar_cli, "clock", june)
    folder = tmp_path / "county"
    for path, body in county_files(BASE + kind(文号='"测督函{号}号"')).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(body, encoding="utf-8")
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "文号格式「测督函{号}号」须恰好含一个 {年} 和一个 {号}" in out
    assert "1 个错误" in out
