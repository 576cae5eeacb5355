"""`yidi check` refuses what issue 15's constructs cannot do: a failed revisit sent to an end
step or back to itself, a 分流 with nowhere to go or offering a channel that is not one."""

from __future__ import annotations

import json

import dsl
from tests.web.inert_county import FILES


def messages(files: dict[str, str]) -> list[str]:
    return [d.message for d in dsl.compile_files("duoxing", files).diagnostics]


def changed(old: str, new: str, files: dict[str, str] = FILES) -> dict[str, str]:
    assert old in files["county.yd"]
    return {**files, "county.yd": files["county.yd"].replace(old, new)}


def test_the_county_is_clean() -> None:
    assert messages(FILES) == []


def test_a_failed_revisit_cannot_go_to_an_end_step() -> None:
    files = changed("回访 100% 不通过 -> 调解", "回访 100% 不通过 -> 结案")
    files = changed("    动作 办结 办结\n  }\n}", "    动作 办结 办结\n  }\n  终点 结案\n}", files)
    assert messages(files) == [
        "回访不通过要重新办理，不能转到结束步骤「结案」：请写要重新办理的步骤"
    ]


def test_a_failed_revisit_cannot_go_back_to_itself() -> None:
    files = changed("回访 100% 不通过 -> 调解", "回访 100% 不通过 -> 回访")
    assert messages(files) == ["回访不通过不能回到核查步骤「回访」本身：请写要重新办理的步骤"]


def test_a_failed_revisit_to_a_step_that_does_not_exist() -> None:
    files = changed("回访 100% 不通过 -> 调解", "回访 100% 不通过 -> 调角")
    assert "未定义的步骤「调角」" in messages(files)


def test_a_contact_on_a_resident_office_is_refused() -> None:
    files = changed("  类型 司法\n", '  类型 司法\n  联系 "司法所电话"\n')
    assert messages(files) == [
        "单位「司法所」常驻中心，不需要通知到场：「联系」只对随叫随驻、轮驻的单位起作用"
    ]


def test_a_diversion_action_needs_a_diversion() -> None:
    files = changed('引导 劳动仲裁 "劳动人事争议仲裁" -> 仲裁院 事项 劳动争议\n', "")
    files = changed('引导 诉讼 -> "人民法院" 无需回告\n', "", files)
    assert messages(files) == ["分流动作「已引导」没有可去的法定途径：请先写 引导 名称 -> 去向"]


def test_the_form_offers_only_diversions() -> None:
    schema = json.loads(FILES["forms/分流登记.json"])
    schema["properties"]["channel"]["enum"] = ["劳动仲裁", "诉讼", "信访"]
    files = {**FILES, "forms/分流登记.json": json.dumps(schema, ensure_ascii=False)}
    assert messages(files) == [
        "分流动作「已引导」的表单「分流登记」可选「信访」，但没有这样的引导去向"
        "（已定义：劳动仲裁、诉讼）：请删去这些选项或补写 引导"
    ]
