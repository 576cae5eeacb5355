"""青山县 (key "qingshan"): the small new county the console tests (and docs/console.md)
configure from nothing: three levels, two towns, a short dispatch -> handle chain."""

from __future__ import annotations

import json

COUNTY_YD = """\
# 青山县：派单、办理两步
县区 青山县 {
  编码 QS
  受理表单 受理登记
  默认流程 两单制
  默认日历 青山日历
}

层级 县 "县级", 镇 "乡镇级", 村 "村级"

中心 青山县中心 "青山县矛盾纠纷调处化解中心" 层级 县
中心 城关镇 层级 镇 上级 青山县中心
中心 河口镇 层级 镇 上级 青山县中心 标签 海岛

角色 窗口人员, 调度员, 承办人, 负责人

单位 综治中心 {
  角色 窗口人员, 调度员, 承办人, 负责人
  驻点 常驻
  层级 县, 镇
}
单位 司法所 {
  角色 承办人, 负责人
  驻点 常驻
  层级 镇
}
单位 司法局 {
  角色 承办人, 负责人
  驻点 轮驻 周二, 周四
  层级 县
}

窗口 综合窗口 "无差别综合受理窗口" 综合受理 单位 综治中心 层级 县, 镇

事项类型 邻里纠纷, 婚姻家庭
等级 一般, 较大
渠道 来访 "群众来访" 现场, 12345 "12345热线", 线上 "网上受理"

分派 等级 较大 -> 县 司法局
分派 等级 一般 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心

日历 青山日历 "青山县工作日历" {
  放假 2026-04-09
}

结果 化解成功 类别 调解成功

流程 两单制 "派单、办理" {
  开始 派单
  整体时限 {
    等级 一般 3 天, 较大 20 天
  }
  步骤 派单 {
    办理人 调度员 @ 中心
    动作 派发 -> 办理
    时限 当日下班前
  }
  步骤 办理 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 化解 "调处化解" -> 已办结 结果 化解成功
  }
  终点 已办结
}
"""

INTAKE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "受理登记",
    "type": "object",
    "properties": {
        "事由": {"type": "string", "title": "纠纷事由", "minLength": 2},
        "联系电话": {"type": "string", "title": "联系电话", "format": "cn-mobile"},
        "事项类型": {"type": "string", "title": "事项类型", "enum": ["邻里纠纷", "婚姻家庭"]},
        "等级": {"type": "string", "title": "等级", "enum": ["一般", "较大"]},
        "发生地": {
            "type": "object",
            "title": "纠纷发生地",
            "properties": {
                "town": {"type": "string", "title": "乡镇", "enum": ["城关镇", "河口镇"]}
            },
            "required": ["town"],
        },
    },
    "required": ["事由", "联系电话"],
}
HANDLING = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "办理情况",
    "type": "object",
    "properties": {"经过": {"type": "string", "title": "办理经过", "minLength": 2}},
    "required": ["经过"],
}


def files() -> dict[str, str]:
    return {
        "county.yd": COUNTY_YD,
        "forms/受理登记.json": json.dumps(INTAKE, ensure_ascii=False, indent=2) + "\n",
        "forms/办理情况.json": json.dumps(HANDLING, ensure_ascii=False, indent=2) + "\n",
    }


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")
