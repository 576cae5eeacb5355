"""规则县 (key "guize"): a small county whose rules the web tests hold to what they say:
a 信访 case transferred from 信访局 to 住建局 and evaluated 不满意, a verification that
reopens through its step's form, and a town case escalated where its office is not stationed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.web import small_county
from tests.web.small_county import PASSWORD as PASSWORD
from tests.web.small_county import TEXT, form

KEY = "guize"
COUNTY = "县中心"
TOWN = "东镇"

COUNTY_YD = """\
县区 规则县 {
  编码 GZ
  受理表单 受理
  默认流程 调处
}
层级 县, 镇
中心 县中心 层级 县
中心 东镇 层级 镇 上级 县中心
中心 西岛 层级 镇 上级 县中心 标签 海岛
角色 窗口人员, 调度员, 承办人, 回访员
单位 综治中心 {
  角色 窗口人员, 调度员, 承办人, 回访员
  层级 县, 镇
}
单位 信访局 {
  角色 承办人
  层级 县
}
单位 住建局 {
  角色 承办人
  层级 县
}
单位 司法所 {
  角色 承办人
  层级 镇
}
窗口 综合窗口 综合受理 单位 综治中心 层级 县, 镇
事项类型 信访事项, 邻里纠纷
等级 一般, 较大
渠道 来访 现场, 线上
分派 事项 信访事项 -> 县 信访局 流程 信访
分派 标签 海岛 -> 县 住建局
分派 等级 一般 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心

流程 信访 {
  步骤 办理 {
    办理人 承办人 @ 单位 信访局
    表单 办理情况
    动作 办结 -> 评价
    动作 转办 转办 表单 转办
  }
  步骤 评价 {
    类型 评价
    办理人 回访员 @ 中心 县
    表单 评价
    评价 {
      评价人 当事人, 中心
      选项 满意, 不满意
      差评 不满意 跟进 -> 办理
    }
    动作 评价完成 -> 督促跟踪
  }
  步骤 督促跟踪 {
    类型 核查
    办理人 回访员 @ 中心 县
    表单 回访
    回访 100% 不通过 -> 办理
    动作 核实 办结 当 表单.settled == 已化解
    动作 重开 重开 -> 办理 当 表单.settled == 未化解
  }
}

流程 调处 {
  步骤 派单 {
    办理人 调度员 @ 中心
    动作 派发 -> 调解
  }
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 化解 办结
    动作 提级 提级 -> 派单 需理由
  }
}
"""


FILES = {
    "county.yd": COUNTY_YD,
    "forms/受理.json": form(
        "受理",
        {
            "category": {"type": "string", "title": "事项类型", "enum": ["信访事项", "邻里纠纷"]},
            "severity": {"type": "string", "title": "等级", "enum": ["一般", "较大"]},
            "location": {
                "type": "object",
                "title": "发生地",
                "properties": {"town": {"type": "string", "title": "镇", "enum": [TOWN, "西岛"]}},
                "required": ["town"],
            },
            "parties": {
                "type": "array",
                "title": "当事人",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "title": "姓名"}},
                },
            },
            "summary": {**TEXT, "title": "概要"},
        },
        ["category", "severity", "location", "summary"],
    ),
    "forms/办理情况.json": form("办理情况", {"notes": {**TEXT, "title": "经过"}}, ["notes"]),
    "forms/转办.json": form(
        "转办", {"office": {"type": "string", "title": "转办单位"}}, ["office"]
    ),
    "forms/评价.json": form(
        "评价", {"score": {"type": "string", "title": "评价", "enum": ["满意", "不满意"]}}, []
    ),
    "forms/回访.json": form(
        "回访",
        {"settled": {"type": "string", "title": "回访结果", "enum": ["已化解", "未化解"]}},
        ["settled"],
    ),
}

# username -> (center, role, office, window)
STAFF = {
    "gz_clerk": (COUNTY, "窗口人员", "综治中心", "综合窗口"),
    "gz_xf": (COUNTY, "承办人", "信访局", None),
    "gz_zj": (COUNTY, "承办人", "住建局", None),
    "gz_visitor": (COUNTY, "回访员", "综治中心", None),
    "gz_town_dispatcher": (TOWN, "调度员", "综治中心", None),
    "gz_town_handler": (TOWN, "承办人", "司法所", None),
    "gz_county_dispatcher": (COUNTY, "调度员", "综治中心", None),
    "gz_county_handler": (COUNTY, "承办人", "综治中心", None),
}


def publish(db: Engine) -> Any:
    county = small_county.publish(db, KEY, FILES, STAFF)
    return county
