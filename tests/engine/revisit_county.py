"""咸安区 (a small county written as files): 派单 -> 办理 -> a sampled 回访, for the
scheduler tests; its revisit rule is given (「30%」 or 「3 件」), and its people."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dsl
from dsl.model import County
from engine.cases import Engine
from engine.views import CaseView
from tests.console.county import files as qingshan_files
from tests.engine.counties import person

PROCESS = """\
流程 回访抽查 "派单、办理、抽查回访" {
  开始 派单
  步骤 派单 {
    办理人 调度员 @ 中心
    动作 派发 -> 办理
  }
  步骤 办理 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 化解 "调处化解" -> 回访 结果 化解成功
  }
  步骤 回访 {
    类型 核查
    办理人 回访员 @ 中心 县
    回访 RULE 不通过 -> 办理
    动作 回访办结 办结
  }
}
"""


def files(rule: str) -> dict[str, str]:
    """The county's files with the revisit rule `rule`, e.g. "30% 每 月" or "3 件 每 月"."""
    texts = qingshan_files()
    county = texts["county.yd"]
    county = county.split("\n流程 两单制", 1)[0] + "\n" + PROCESS.replace("RULE", rule)
    county = county.replace("县区 青山县", "县区 咸安区").replace("编码 QS", "编码 XA")
    county = county.replace("默认流程 两单制", "默认流程 回访抽查")
    county = county.replace("调度员, 承办人, 负责人", "调度员, 承办人, 回访员, 负责人")
    texts["county.yd"] = county
    return texts


def write(folder: Path, rule: str) -> County:
    """Write the county into `folder` and compile it there (its key is the folder's name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files(rule).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    county: County = dsl.compile_county(folder)
    return county


class People:
    def __init__(self, key: str) -> None:
        self.dispatcher = person(key, "调度", ("城关镇", "调度员", "综治中心"))
        self.handler = person(key, "承办", ("城关镇", "承办人", "司法所"))
        self.visitor = person(key, "回访", ("青山县中心", "回访员", "综治中心"))


def only_open(view: CaseView) -> int:
    (ticket,) = [t for t in view.open_tickets() if t.kind != "supervision"]
    return ticket.id


def close_case(wf: Engine, key: str, people: People, at: datetime) -> CaseView:
    """A case received, dispatched and handled at `at` (the engine's clock is set to it)."""
    wf.clock.set(at)  # type: ignore[attr-defined]  # a ManualClock
    view = wf.receive(
        "api",
        key,
        channel="来访",
        category="邻里纠纷",
        severity="一般",
        location="城关镇",
        parties=[{"name": "甲"}],
        data={"事由": "邻里争执", "联系电话": "13900001111"},
    )
    view = wf.act(people.dispatcher, only_open(view), "派发", {})
    view = wf.act(people.handler, only_open(view), "化解", {"经过": "双方和解"})
    assert view.status == "closed", view
    return view
