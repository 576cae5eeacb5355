"""A small hand-built county and helpers that insert case rows directly, for figure tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import Connection, Engine, insert

from dsl.model import (
    Action,
    Actor,
    Category,
    Center,
    Channel,
    County,
    Level,
    Office,
    Process,
    Role,
    Severity,
    Stationing,
    Step,
    Studio,
)
from engine.registry import County as CountyRow
from engine.registry import DefinitionVersion
from engine.reports.periods import CST
from engine.tables import Case, CaseParty, Ticket

TOWN_A = "城关镇"
VILLAGE_A = "城关镇/东门村"
TOWN_B = "河口镇"
VILLAGE_B = "河口镇/西村"
TOP = "县中心"


def _steps() -> dict[str, Step]:
    clerk = Actor(role="受理员", where="center")
    handler = Actor(role="调解员", where="routed_office")
    return {
        "派单": Step(
            "派单", "派单", "task", clerk, None, (Action("派", "派单", "complete", "接单"),)
        ),
        "接单": Step(
            "接单",
            "接单",
            "task",
            handler,
            None,
            (
                Action("受理", "受理", "complete", "办理"),
                Action("退回", "退单", "return", "派单", requires_reason=True),
            ),
        ),
        "办理": Step("办理", "办理", "task", handler, None, (Action("结", "办结", "close", None),)),
    }


def demo_county(key: str = "testxian") -> County:
    levels = {
        "县": Level("县", "县级", 0),
        "镇": Level("镇", "镇级", 1),
        "村": Level("村", "村级", 2),
    }
    centers = {
        TOP: Center(TOP, "测试县综治中心", "县", None),
        TOWN_A: Center(TOWN_A, "城关镇综治中心", "镇", TOP),
        VILLAGE_A: Center(VILLAGE_A, "东门村", "村", TOWN_A),
        TOWN_B: Center(TOWN_B, "河口镇综治中心", "镇", TOP),
        VILLAGE_B: Center(VILLAGE_B, "西村", "村", TOWN_B),
    }
    offices = {
        "司法所": Office("司法所", "司法所", ("调解员",), Stationing("resident"), ("镇",)),
        "信访局": Office("信访局", "信访局", ("接访员",), Stationing("resident"), ("县",)),
    }
    process = Process("四单", "四单", "派单", _steps())
    return County(
        key=key,
        name="测试县",
        levels=levels,
        centers=centers,
        roles={"调解员": Role("调解员", "调解员"), "受理员": Role("受理员", "受理员")},
        offices=offices,
        studios={"老李": Studio("老李", "老李调解工作室", "司法所", TOWN_A, "李明")},
        windows={},
        categories={
            "婚姻家庭": Category("婚姻家庭", "婚姻家庭", None),
            "邻里纠纷": Category("邻里纠纷", "邻里纠纷", None),
            "劳动争议": Category("劳动争议", "劳动争议", None),
        },
        severities={"一般": Severity("一般", "一般", 0), "较大": Severity("较大", "较大", 1)},
        channels={
            "来访": Channel("来访", "来访", True),
            "12345": Channel("12345", "12345热线", False),
        },
        routes=(),
        fallback=None,
        diversions={},
        calendars={},
        default_calendar="",
        processes={"四单": process},
        default_process="四单",
        intake_form="",
        forms={},
    )


def local(text: str) -> datetime:
    """'2026-11-03 10:00' in China Standard Time, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=CST).astimezone(UTC)


@dataclass
class Seeder:
    """Inserts rows straight into the tables, with dull defaults each test overrides."""

    engine: Engine
    county_id: int
    version_id: int
    _serial = count(1)

    def case(self, **values: Any) -> int:
        number = next(self._serial)
        row: dict[str, Any] = {
            "county_id": self.county_id,
            "version_id": self.version_id,
            "code": f"TX-2026-{number:06d}",
            "title": f"案件{number}",
            "channel": "来访",
            "received_at": local("2026-11-03 10:00"),
            "received_by": "clerk",
            "received_center": TOWN_A,
            "visits": 1,
            "category": "邻里纠纷",
            "severity": "一般",
            "location": VILLAGE_A,
            "process": "四单",
            "level": "镇",
            "center": TOWN_A,
            "office": "司法所",
            "status": "open",
            "colour": "",
            "supervised": False,
            "mediated": False,
            "escalations": 0,
            "reopenings": 0,
            "data": {},
            "updated_at": datetime.now(UTC),
        }
        row.update(values)
        if row["status"] == "closed" and "closed_at" not in values:
            row["closed_at"] = row["received_at"] + timedelta(days=1)
        with self.engine.begin() as conn:
            return int(conn.execute(insert(Case).returning(Case.id), row).scalar_one())

    def party(self, case_id: int, name: str, phone: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(CaseParty), {"case_id": case_id, "name": name, "phone": phone})

    def ticket(self, case_id: int, step: str, state: str, completed_at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(Ticket),
                {
                    "county_id": self.county_id,
                    "case_id": case_id,
                    "step": step,
                    "name": step,
                    "kind": "task",
                    "state": state,
                    "center": TOWN_A,
                    "office": "司法所",
                    "role": "调解员",
                    "created_at": completed_at - timedelta(hours=1),
                    "completed_at": completed_at,
                    "colour": "",
                },
            )


def register_county(conn: Connection, model: County) -> tuple[int, int]:
    """County and definition version rows, as publishing would leave them."""
    county_id = conn.execute(
        insert(CountyRow).returning(CountyRow.id), {"code": model.key, "name": model.name}
    ).scalar_one()
    version_id = conn.execute(
        insert(DefinitionVersion).returning(DefinitionVersion.id),
        {
            "county_id": county_id,
            "number": 1,
            "content_hash": "test-" + model.key,
            "files": {},
            "published_by": "test",
        },
    ).scalar_one()
    return int(county_id), int(version_id)
