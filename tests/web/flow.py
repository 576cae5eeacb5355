"""The xiaogan whole path, shared by the HTTP test and the browser test: who plays each part
and what they type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from admin.demo import DemoAccount, create_demo_accounts
from tests.web.counties import publish_xiaogan

TOWN = "书院街道"
COUNTY_CENTER = "孝南区中心"
PHONE = "13812345678"

INTAKE_FIELDS = {
    "category": "邻里纠纷",
    "severity": "一般",
    "location/town": TOWN,
    "location/village": "书院社区",
    "parties/0/name": "王小明",
    "parties/0/role": "申请人",
    "parties/0/phone": PHONE,
    "parties/0/id_number": "110101199003074514",
    "summary": "邻居装修噪音扰民，多次协商未果，请求调解。",
}
HANDLING_FIELDS = {
    "method": "人民调解",
    "result": "化解成功",
    "notes": "双方达成和解，签订调解协议。",
}
REVISIT_FIELDS = {"way": "电话", "settled": "true", "notes": "回访确认已履行。"}


def cast(db: Engine) -> dict[str, DemoAccount]:
    """Publish xiaogan, create its demo accounts, and pick who plays each part."""
    model = publish_xiaogan(db)
    accounts = create_demo_accounts(db, [model])

    def find(center: str, role: str, office: str | None = None) -> DemoAccount:
        return next(
            a
            for a in accounts
            if a.membership
            and a.membership.center == center
            and a.membership.role == role
            and a.membership.office == office
        )

    return {
        "clerk": find(TOWN, "窗口人员"),
        "dispatcher": find(TOWN, "调度员"),
        "handler": find(TOWN, "承办人", "司法所"),
        "evaluator": find(TOWN, "评单员"),
        "revisitor": find(COUNTY_CENTER, "回访员"),
        "other_town_handler": find(COUNTY_CENTER, "承办人", "司法局"),
    }


def as_form(fields: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in fields.items()}
