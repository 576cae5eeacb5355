"""如皋市 (definitions/rugao) published for the prevention tests, and the people who work it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

import dsl
from dsl.model import County
from engine import versions
from engine.clock import CST
from engine.scope import Membership, Principal

ROOT = Path(__file__).parents[2]
RUGAO = ROOT / "definitions" / "rugao"
KEY = "rugao"
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=CST)  # a working Monday, local time
SATURDAY = datetime(2026, 11, 7, 9, 0, tzinfo=CST)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def county() -> County:
    model: County = dsl.compile_county(RUGAO)
    return model


def without_prevention(tmp_path: Path) -> County:
    """如皋 as it was before its prevention rules: the same folder without prevention.yd."""
    folder = tmp_path / KEY
    shutil.copytree(RUGAO, folder)
    (folder / "prevention.yd").unlink()
    model: County = dsl.compile_county(folder)
    return model


def publish(db: Engine) -> County:
    model = county()
    versions.publish(db, model, by="测试")
    return model


def person(username: str, *memberships: tuple[str, str, str | None]) -> Principal:
    return Principal(
        username=username,
        display_name=username,
        county=KEY,
        memberships=tuple(Membership(center=c, role=r, office=o) for c, r, o in memberships),
    )


GRID = person("wangge", ("东兴社区", "网格员", "网格工作站"))
OTHER_GRID = person("wangge2", ("西河社区", "网格员", "网格工作站"))
TOWN_DISPATCHER = person("diaodu", ("如城街道", "调度员", "矛调中心"))


def dispute(summary: str = "两户因宅基地排水沟堵塞争执不下", **changes: Any) -> dict[str, Any]:
    found = {
        "category": "邻里纠纷",
        "severity": "一般",
        "summary": summary,
        "parties": [{"name": "冒一", "role": "申请人", "phone": "13800001111"}],
    }
    return {**found, **changes}


def checklist(found: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "checked": ["矛盾纠纷", "邻里关系"],
        "households": 12,
        "发现纠纷": found,
    }
    if found:
        result["纠纷"] = dispute()
    return result
