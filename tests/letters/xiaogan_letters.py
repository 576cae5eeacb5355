"""The seed county 孝感 with its letter kinds (督办函, 风险预警函) and the people who use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsl import compile_county
from engine.scope import Membership, Principal

XIAOGAN = Path(__file__).resolve().parents[2] / "definitions" / "xiaogan"
TOWN, VILLAGE, COUNTY_CENTER = "书院街道", "书院社区", "孝南区中心"


def xiaogan() -> Any:
    return compile_county(XIAOGAN)


def person(username: str, name: str, *memberships: tuple[str, str, str | None]) -> Principal:
    return Principal(
        username=username,
        display_name=name,
        county="xiaogan",
        memberships=tuple(Membership(center=c, role=r, office=o) for c, r, o in memberships),
    )


SUPERVISOR = person("duban", "督办员老周", (COUNTY_CENTER, "督办员", None))
JUSTICE = person("sfs", "司法所小李", (TOWN, "承办人", "司法所"))
OTHER_TOWN = person("sfs2", "新华司法所", ("新华街道", "承办人", "司法所"))
MEDIATOR = person("tjy", "调解员", (TOWN, "调解员", "人民调解委员会"))


def intake(**changes: Any) -> dict[str, Any]:
    party = {"name": "张小明", "role": "申请人", "phone": "13800138000"}
    data = {
        "location": {"town": TOWN, "village": VILLAGE},
        "summary": "邻居装修噪音扰民多次协商未果",
    }
    facts = {"channel": "来访", "category": "邻里纠纷", "severity": "一般", "location": VILLAGE}
    return {**facts, "parties": [party], "data": data, **changes}
