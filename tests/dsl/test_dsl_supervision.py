"""The 督办 block and supervision link steps (dsl/supervision.py): what 孝感 declares compiles
to the model the engine runs, and what nobody could honour is refused with a Chinese message
that names the line."""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
from dsl.hashing import content_hash
from dsl.model import Duration, Supervisor

XIAOGAN = Path(__file__).resolve().parents[2] / "definitions" / "xiaogan"
DUTY = """督办 {
  督办人 督办员 @ 县, 负责人 @ 市
  回复人 承办人
  回复时限 {
    默认 2 工作日
    到 80% 提醒
    超时 亮 红, 督办 负责人 @ 市
  }
}"""
LINK = """  步骤 督办单 {
    类型 督办
    办理人 督办员 @ 中心 县
    票据 督办单
    伴随 接单, 办理
  }"""


def files(*swaps: tuple[str, str]) -> dict[str, str]:
    found = {
        p.relative_to(XIAOGAN).as_posix(): p.read_text(encoding="utf-8")
        for p in XIAOGAN.rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }
    text = found["county.yd"]
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    found["county.yd"] = text
    return found


def errors(*swaps: tuple[str, str]) -> list[str]:
    result = dsl.compile_files("xiaogan", files(*swaps))
    return [d.text() for d in result.diagnostics if d.severity == "error"]


def test_xiaogan_declares_its_supervisors_and_the_link_of_its_chain() -> None:
    county = dsl.compile_files("xiaogan", files()).county
    assert county is not None and county.supervision is not None
    duty = county.supervision
    assert duty.supervisors == (Supervisor("督办员", "县"), Supervisor("负责人", "市"))
    assert duty.replier == "承办人" and duty.reply.default == Duration(2, "workday")
    assert [e.kind for s in duty.reply.stages for e in s.effects] == [
        "remind",
        "colour",
        "supervise",
    ]
    link = county.processes["五单制"].steps["督办单"]
    assert (link.kind, link.beside, link.ticket) == ("supervision", ("接单", "办理"), "督办单")


def test_english_keywords_say_the_same() -> None:
    english = """supervise {
  supervisors 督办员 @ 县, 负责人 @ 市
  replier 承办人
  reply_deadline {
    默认 2 工作日
    到 80% 提醒
    超时 亮 红, 督办 负责人 @ 市
  }
}"""
    chinese = dsl.compile_files("xiaogan", files()).county
    translated = dsl.compile_files(
        "xiaogan", files((DUTY, english), ("    伴随 接单, 办理", "    beside 接单, 办理"))
    ).county
    assert chinese is not None and translated is not None
    assert content_hash(chinese) == content_hash(translated)


def test_a_county_without_them_keeps_its_hash() -> None:
    """Fields added later are hashed only when set: versions published before keep theirs."""
    plain = dsl.compile_files("xiaogan", files((DUTY, ""), (LINK, ""))).county
    assert plain is not None and plain.supervision is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("督办人 督办员 @ 县", "督办人 督察员 @ 县", "未定义的角色「督察员」"),
        ("督办人 督办员 @ 县", "督办人 督办员 @ 省", "未定义的层级「省」"),
        ("回复人 承办人", "回复人 办事员", "未定义的角色「办事员」"),
        ("    超时 亮 红, 督办 负责人 @ 市", "    超时 提级", "督办单逾期不能「提级」案件"),
        ("督办 负责人 @ 市\n  }\n}", "督办 负责人\n  }\n}", "督办单逾期的「督办 负责人」要写层级"),
        ("    默认 2 工作日", "    默认 2 工作日\n    允许 延期", "督办单的回复时限不能中止或延期"),
        ("  回复人 承办人\n", "", "缺少回复人"),
        (
            "    办理人 督办员 @ 中心 县",
            "    办理人 督办员 @ 单位 外星办",
            "未定义的单位「外星办」",
        ),
        ("    伴随 接单, 办理", "    伴随 接单, 调解", "未定义的步骤「调解」"),
        ("    伴随 接单, 办理", "", "缺少督办步骤「督办单」伴随的步骤"),
        ("    伴随 接单, 办理", "    伴随 接单, 已办结", "督办步骤只能伴随办理步骤"),
        ("    票据 督办单\n", "    票据 督办单\n    时限 2 天\n", "不能写「时限」"),
        ("    票据 督办单\n", "    票据 督办单\n    动作 督办完成 -> 评单\n", "不能写「动作」"),
        (
            "    票据 接单\n",
            "    票据 接单\n    伴随 办理\n",
            "只有督办步骤（类型 督办）可以写「伴随」",
        ),
        ('动作 接收 "接单" -> 办理', '动作 接收 "接单" -> 督办单', "「督办单」是督办步骤"),
        ("  开始 派单", "  开始 督办单", "督办步骤「督办单」不能是开始步骤"),
    ],
)
def test_what_nobody_could_honour_is_refused(old: str, new: str, message: str) -> None:
    found = errors((old, new))
    assert any(message in text for text in found), found


def test_a_replier_no_office_has_is_refused() -> None:
    roles = "回访员, 负责人\n\n单位 综治中心"  # the county's roles, not the office's
    found = errors(
        (roles, "回访员, 负责人, 观察员\n\n单位 综治中心"), ("回复人 承办人", "回复人 观察员")
    )
    assert any("没有任何单位设有角色「观察员」，督办单无人回复" in text for text in found), found


def test_the_block_is_written_once() -> None:
    found = errors((DUTY, DUTY + "\n" + DUTY))
    assert any("督办声明只能写一次" in text for text in found), found
