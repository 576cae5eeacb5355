"""A two-town county built in Python and rows inserted straight into the tables: the read
side of the web app (scope, inbox, case page, search, progress) tested without the engine's
write path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import Engine, insert

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
    Window,
)
from engine import versions
from engine.tables import Case, CaseParty, Event, Ticket

TOP, TOWN_A, VILLAGE_A, TOWN_B, VILLAGE_B = (
    "县中心",
    "城关镇",
    "城关镇/东门村",
    "河口镇",
    "河口镇/西村",
)


def county(key: str = "webxian", name: str = "网页县") -> County:
    clerk = Actor(role="受理员", where="center")
    handler = Actor(role="调解员", where="routed_office")
    steps = {
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
    return County(
        key=key,
        name=name,
        levels={
            "县": Level("县", "县级", 0),
            "镇": Level("镇", "镇级", 1),
            "村": Level("村", "村级", 2),
        },
        centers={
            TOP: Center(TOP, "县综治中心", "县", None),
            TOWN_A: Center(TOWN_A, "城关镇综治中心", "镇", TOP),
            VILLAGE_A: Center(VILLAGE_A, "东门村", "村", TOWN_A),
            TOWN_B: Center(TOWN_B, "河口镇综治中心", "镇", TOP),
            VILLAGE_B: Center(VILLAGE_B, "西村", "村", TOWN_B),
        },
        roles={r: Role(r, r) for r in ("受理员", "调解员", "调度员")},
        offices={
            "司法所": Office("司法所", "司法所", ("调解员",), Stationing("resident"), ("镇",))
        },
        studios={},
        windows={"综合窗口": Window("综合窗口", "综合受理窗口", True, (), ("县", "镇"))},
        categories={"邻里纠纷": Category("邻里纠纷", "邻里纠纷", None)},
        severities={"一般": Severity("一般", "一般", 0)},
        channels={"来访": Channel("来访", "来访", True)},
        routes=(),
        fallback=None,
        diversions={},
        calendars={},
        default_calendar="",
        processes={"四单": Process("四单", "四单", "派单", steps)},
        default_process="四单",
        intake_form="",
        forms={},
        code_prefix="WY",
    )


@dataclass
class Seeder:
    db: Engine
    county_key: str = "webxian"
    county_id: int = 0
    version_id: int = 0
    _serial: Any = field(default_factory=lambda: count(1))

    def publish(self, model: County | None = None) -> Seeder:
        version = versions.publish(self.db, model or county(self.county_key), by="test")
        self.county_id, self.version_id = version.county_id, version.id
        return self

    def case(self, center: str, *, phone: str = "13800000000", **values: Any) -> str:
        number = next(self._serial)
        prefix = self.county_key[:2].upper()
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "county_id": self.county_id,
            "version_id": self.version_id,
            "code": f"{prefix}-2026-{number:06d}",
            "title": f"邻里纠纷{number}",
            "channel": "来访",
            "window": "综合窗口",
            "received_at": now,
            "received_by": "someone",
            "received_center": center,
            "visits": 1,
            "category": "邻里纠纷",
            "severity": "一般",
            "location": center,
            "process": "四单",
            "level": "镇",
            "center": center,
            "office": "司法所",
            "step": "接单",
            "status": "open",
            "colour": "",
            "supervised": False,
            "mediated": False,
            "escalations": 0,
            "reopenings": 0,
            "data": {},
            "due_at": now + timedelta(days=3),
            "updated_at": now,
        }
        row.update(values)
        with self.db.begin() as conn:
            case_id = conn.execute(insert(Case).returning(Case.id), row).scalar_one()
            conn.execute(
                insert(CaseParty),
                {
                    "case_id": case_id,
                    "name": f"张{number}",
                    "phone": phone,
                    "id_number": "110101199003074514",
                    "role": "申请人",
                },
            )
            conn.execute(
                insert(Event),
                {
                    "county_id": self.county_id,
                    "case_id": case_id,
                    "at": now,
                    "actor": "someone",
                    "kind": "received",
                    "note": "内部备注：当事人情绪激动",
                },
            )
        return str(row["code"])

    def ticket(
        self,
        code: str,
        center: str,
        *,
        office: str | None = "司法所",
        role: str = "调解员",
        step: str = "接单",
        due_in: timedelta = timedelta(days=1),
        **values: Any,
    ) -> int:
        now = datetime.now(UTC)
        with self.db.begin() as conn:
            case_id = conn.execute(Case.__table__.select().where(Case.code == code)).one().id
            row = {
                "county_id": self.county_id,
                "case_id": case_id,
                "step": step,
                "name": step,
                "kind": "task",
                "state": "open",
                "center": center,
                "office": office,
                "role": role,
                "created_at": now,
                "due_at": now + due_in,
                "colour": "",
            }
            row.update(values)
            return int(conn.execute(insert(Ticket).returning(Ticket.id), row).scalar_one())
