"""惰性县 (key "duoxing"): the four constructs issue 15 found inert, each with its effect, in one
small county the web tests drive over HTTP:

- `引导 劳动仲裁 -> 仲裁院` (回告 required) and `引导 诉讼 -> "人民法院" 无需回告`;
- `驻点 随叫随驻` (the court's service center, called in when a case comes to it);
- `类型 法院` / `类型 司法` … (the dashboards' 单位类型 breakdown);
- `回访 100% 不通过 -> 调解` (a failed revisit goes back to mediation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from admin.accounts import MembershipSpec, create_user
from tests.web import small_county
from tests.web.small_county import PASSWORD as PASSWORD
from tests.web.small_county import TEXT, form

KEY = "duoxing"
COUNTY = "县中心"
TOWN = "东镇"
COURT = "人民法院诉讼服务中心"
CONTACT = "立案庭值班电话 0712-2345678"

COUNTY_YD = """\
县区 惰性县 {
  编码 DX
  受理表单 受理
  默认流程 调处
}
层级 县, 镇
中心 县中心 层级 县
中心 东镇 层级 镇 上级 县中心
角色 窗口人员, 承办人, 回访员
单位 综治中心 {
  类型 综治
  角色 窗口人员, 承办人, 回访员
  层级 县, 镇
}
单位 法院 "人民法院诉讼服务中心" {
  类型 法院
  角色 承办人
  驻点 随叫随驻
  联系 "立案庭值班电话 0712-2345678"
  层级 县
}
单位 司法所 {
  类型 司法
  角色 承办人
  层级 镇
}
单位 仲裁院 {
  类型 仲裁
  角色 承办人
  层级 县
}
窗口 综合窗口 综合受理 单位 综治中心 层级 县, 镇
事项类型 邻里纠纷, 劳动争议, 涉诉纠纷
等级 一般
渠道 来访 现场, 线上
分派 事项 涉诉纠纷 -> 县 法院
分派 事项 劳动争议 -> 县 综治中心 流程 引导
分派 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心
引导 劳动仲裁 "劳动人事争议仲裁" -> 仲裁院 事项 劳动争议
引导 诉讼 -> "人民法院" 无需回告
结果 化解成功 类别 调解成功
结果 分流 类别 分流

流程 调处 {
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    动作 化解 -> 回访 结果 化解成功
  }
  步骤 回访 {
    类型 核查
    办理人 回访员 @ 中心 县
    表单 回访
    回访 100% 不通过 -> 调解
    动作 办结 办结
  }
}

流程 引导 {
  步骤 引导 {
    办理人 承办人 @ 承办单位
    动作 已引导 分流 -> 已办结 表单 分流登记
  }
  终点 已办结
}
"""


FILES = {
    "county.yd": COUNTY_YD,
    "forms/受理.json": form(
        "受理",
        {
            "category": {
                "type": "string",
                "title": "事项类型",
                "enum": ["邻里纠纷", "劳动争议", "涉诉纠纷"],
            },
            "severity": {"type": "string", "title": "等级", "enum": ["一般"]},
            "location": {
                "type": "object",
                "title": "发生地",
                "properties": {"town": {"type": "string", "title": "镇", "enum": [TOWN]}},
                "required": ["town"],
            },
            "summary": {**TEXT, "title": "概要"},
        },
        ["category", "severity", "location", "summary"],
    ),
    "forms/办理情况.json": form("办理情况", {"notes": {**TEXT, "title": "经过"}}, ["notes"]),
    "forms/回访.json": form(
        "回访",
        {
            "settled": {"type": "boolean", "title": "矛盾已实质化解"},
            "notes": {"type": "string", "title": "回访记录", "maxLength": 200},
        },
        ["settled"],
    ),
    "forms/分流登记.json": form(
        "分流登记",
        {
            "channel": {"type": "string", "title": "引导途径", "enum": ["劳动仲裁", "诉讼"]},
            "outcome": {"type": "string", "title": "办理结果", "maxLength": 200},
        },
        ["channel"],
    ),
}

# username -> (center, role, office, window)
STAFF = {
    "dx_clerk": (COUNTY, "窗口人员", "综治中心", "综合窗口"),
    "dx_center": (COUNTY, "承办人", "综治中心", None),
    "dx_court": (COUNTY, "承办人", "法院", None),
    "dx_town": (TOWN, "承办人", "司法所", None),
    "dx_visitor": (COUNTY, "回访员", "综治中心", None),
}


def publish(db: Engine) -> Any:
    county = small_county.publish(db, KEY, FILES, STAFF)
    admin = [MembershipSpec(COUNTY, "承办人", "综治中心", None)]
    create_user(
        db,
        "dx_admin",
        PASSWORD,
        display_name="管理员",
        county=KEY,
        memberships=admin,
        is_admin=True,
    )
    return county
