"""计时县 (key "jishi"): a small county whose deadlines the web and system tests hold to what
docs/language.md §12 says. Its default calendar 计时日历 has a local holiday (Wednesday
2026-11-04), a make-up working Saturday (2026-11-07) and working hours 9:00-17:00; 另一日历
has another holiday (Tuesday 2026-11-03). The 调处 process has a whole-case deadline and a
ticket deadline whose stages colour, remind, supervise and escalate; 另算 counts on 另一日历,
当日 ends at the county's end of the working day."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.web import small_county
from tests.web.small_county import PASSWORD as PASSWORD
from tests.web.small_county import form

KEY = "jishi"
COUNTY = "县中心"
TOWN = "东镇"

COUNTY_YD = """\
县区 计时县 {
  编码 JS
  受理表单 受理
  默认流程 调处
  默认日历 计时日历
  颜色等级 蓝, 黄, 红
}
层级 县, 镇
中心 县中心 层级 县
中心 东镇 层级 镇 上级 县中心
角色 窗口人员, 调度员, 承办人, 督办员
单位 综治中心 {
  角色 窗口人员, 调度员, 承办人, 督办员
  层级 县, 镇
}
单位 司法所 {
  角色 承办人
  层级 镇
}
窗口 综合窗口 综合受理 单位 综治中心 层级 县, 镇
事项类型 邻里纠纷, 合同纠纷, 劳动争议
等级 一般, 较大
渠道 来访 现场, 线上
分派 事项 合同纠纷 -> 镇 司法所 流程 另算
分派 事项 劳动争议 -> 镇 司法所 流程 当日
分派 事项 邻里纠纷 -> 镇 司法所
兜底 窗口 综合窗口 单位 综治中心

日历 计时日历 {
  放假 2026-11-04
  调休上班 2026-11-07
  上班时间 9:00 - 17:00
}
日历 另一日历 {
  放假 2026-11-03
}

流程 调处 {
  整体时限 {
    默认 5 天
    到 0.5 亮 蓝
    超时 提醒 调度员
  }
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    时限 {
      等级 一般 4 天, 较大 2 工作日
      到 50% 亮 黄
      到 75% 提醒 承办人
      超时 亮 红, 督办 督办员 @ 县
      超时 1 天 提级
    }
    动作 化解 办结
  }
}

流程 另算 {
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    时限 {
      默认 1 工作日
      日历 另一日历
    }
    动作 化解 办结
  }
}

流程 当日 {
  步骤 调解 {
    办理人 承办人 @ 承办单位
    表单 办理情况
    时限 当日下班前
    动作 化解 办结
  }
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
                "enum": ["邻里纠纷", "合同纠纷", "劳动争议"],
            },
            "severity": {"type": "string", "title": "等级", "enum": ["一般", "较大"]},
            "location": {
                "type": "object",
                "title": "发生地",
                "properties": {"town": {"type": "string", "title": "镇", "enum": [TOWN]}},
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
            "summary": {"type": "string", "minLength": 2, "title": "概要"},
        },
        ["category", "severity", "location", "summary"],
    ),
    "forms/办理情况.json": form(
        "办理情况", {"notes": {"type": "string", "minLength": 2, "title": "经过"}}, ["notes"]
    ),
}

# username -> (center, role, office, window)
STAFF = {
    "js_clerk": (COUNTY, "窗口人员", "综治中心", "综合窗口"),
    "js_dispatcher": (TOWN, "调度员", "综治中心", None),
    "js_handler": (TOWN, "承办人", "司法所", None),
    "js_county_handler": (COUNTY, "承办人", "综治中心", None),
    "js_supervisor": (COUNTY, "督办员", "综治中心", None),
}


def compiled() -> Any:
    return small_county.compiled(KEY, FILES)


def publish(db: Engine) -> Any:
    return small_county.publish(db, KEY, FILES, STAFF)
