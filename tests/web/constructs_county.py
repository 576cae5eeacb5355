"""构造县 (key "gouzao"): a small county with one of each action-driven construct of the
language, for the web tests that prove each does what docs/language.md §12 says: first
response at the receiving window (`@ 窗口`), routing by a center's tag (`标签`), 退回 with a
reason, 下沉 to a village, 分流 to the legal channels of the case's category (`引导 … 事项`),
an action's `结果`, a joint consultation (`参与`), a poor evaluation that reopens (`差评 … 重开`)
and actions offered by conditions (属于, 不属于, 已填, 未填, 非)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.web import small_county
from tests.web.small_county import PASSWORD as PASSWORD
from tests.web.small_county import TEXT, form

KEY = "gouzao"
COUNTY = "县中心"
TOWN = "东镇"
VILLAGE = "东村"
ISLAND = "西岛"
ISLAND_VILLAGE = "渔村"

COUNTY_YD = """\
县区 构造县 {
  编码 GC
  受理表单 受理
  默认流程 调处
}
层级 县, 镇, 村
中心 县中心 层级 县
中心 东镇 层级 镇 上级 县中心
中心 东村 层级 村 上级 东镇
中心 西岛 层级 镇 上级 县中心 标签 海岛
中心 渔村 层级 村 上级 西岛
角色 窗口人员, 调度员, 承办人, 法官, 律师, 回访员
单位 综治中心 {
  角色 窗口人员, 调度员, 承办人, 回访员
  层级 县, 镇, 村
}
单位 司法所 {
  角色 承办人
  层级 镇, 村
}
单位 海事处 {
  角色 承办人
  层级 县
}
单位 法院 {
  角色 法官
  层级 县
}
单位 律师事务所 {
  角色 律师
  层级 县
}
窗口 综合窗口 综合受理 单位 综治中心 层级 县, 镇
事项类型 邻里纠纷, 劳动争议, 合同纠纷
等级 一般, 较大
渠道 来访 现场, 线上
分派 标签 海岛 -> 县 海事处 流程 会商
分派 事项 邻里纠纷, 劳动争议, 合同纠纷 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心
引导 劳动仲裁 "劳动人事争议仲裁" -> 仲裁院 事项 劳动争议
引导 诉讼 -> "人民法院" 事项 合同纠纷

流程 调处 {
  步骤 首问 {
    办理人 窗口人员 @ 窗口
    动作 派单 -> 调解
  }
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 化解 -> 评价 结果 化解成功
    动作 退回 退回 -> 首问
    动作 下沉 下沉 -> 调解
    动作 引导 分流 -> 评价
    动作 重大快办 -> 评价 当 案件.等级 属于 [较大]
    动作 一般常办 -> 评价 当 案件.等级 不属于 [较大]
    动作 电话回告 -> 评价 当 数据.phone 已填
    动作 上门回告 -> 评价 当 数据.phone 未填
    动作 非一般 -> 评价 当 非 案件.等级 == 一般
  }
  步骤 评价 {
    类型 评价
    办理人 回访员 @ 中心 县
    表单 评价
    评价 {
      评价人 中心
      选项 满意, 不满意
      差评 不满意 重开 -> 调解
    }
    动作 评价完成 办结
  }
}

流程 会商 {
  步骤 会商 {
    类型 会商
    办理人 承办人 @ 承办单位
    参与 法官 @ 单位 法院, 律师 @ 单位 律师事务所
    表单 会商意见
    动作 形成方案 -> 落实
  }
  步骤 落实 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 办结 办结 结果 化解成功
  }
}

结果 化解成功 类别 调解成功
"""


FILES = {
    "county.yd": COUNTY_YD,
    "forms/受理.json": form(
        "受理",
        {
            "category": {
                "type": "string",
                "title": "事项类型",
                "enum": ["邻里纠纷", "劳动争议", "合同纠纷"],
            },
            "severity": {"type": "string", "title": "等级", "enum": ["一般", "较大"]},
            "location": {
                "type": "object",
                "title": "发生地",
                "properties": {
                    "town": {"type": "string", "title": "镇", "enum": [TOWN, ISLAND]},
                    "village": {"type": "string", "title": "村"},
                },
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
            "phone": {"type": "string", "title": "回告电话"},
            "summary": {**TEXT, "title": "概要"},
        },
        ["category", "severity", "location", "summary"],
    ),
    "forms/办理情况.json": form("办理情况", {"notes": {**TEXT, "title": "经过"}}, ["notes"]),
    "forms/会商意见.json": form("会商意见", {"opinion": {**TEXT, "title": "意见"}}, ["opinion"]),
    "forms/评价.json": form(
        "评价", {"score": {"type": "string", "title": "评价", "enum": ["满意", "不满意"]}}, []
    ),
}

# username -> (center, role, office, window)
STAFF = {
    "gc_clerk": (COUNTY, "窗口人员", "综治中心", "综合窗口"),
    "gc_town_clerk": (TOWN, "窗口人员", "综治中心", "综合窗口"),
    "gc_town_handler": (TOWN, "承办人", "司法所", None),
    "gc_village_handler": (VILLAGE, "承办人", "司法所", None),
    "gc_maritime": (COUNTY, "承办人", "海事处", None),
    "gc_judge": (COUNTY, "法官", "法院", None),
    "gc_lawyer": (COUNTY, "律师", "律师事务所", None),
    "gc_visitor": (COUNTY, "回访员", "综治中心", None),
}


def publish(db: Engine) -> Any:
    county = small_county.publish(db, KEY, FILES, STAFF)
    return county
