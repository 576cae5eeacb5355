"""Synthetic county and cases for `python -m bench.dashboards`: a 3-level county with 20
towns of 12 villages, cases spread over two years, one party and one 接单 ticket each."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

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

KEY = "benchxian"
TOP = "县中心"
TOWNS = [f"镇{t:02d}" for t in range(20)]
VILLAGES = [f"{town}/村{v:02d}" for town in TOWNS for v in range(12)]
CATEGORIES = [f"类型{c:02d}" for c in range(20)]
CHANNELS = ["来访", "12345", "网格", "线上", "110", "信访"]
OFFICES = ["司法所", "派出所", "信访局", "人社局", "妇联"]
STUDIOS = [f"工作室{s}" for s in range(5)]
MEDIATORS = [f"调解员{m:03d}" for m in range(300)]
START = datetime(2024, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
NOW = START + SPAN  # 2026-10-31/11-01: the benchmark's "today"


def county() -> County:
    levels = {
        "县": Level("县", "县级", 0),
        "镇": Level("镇", "镇级", 1),
        "村": Level("村", "村级", 2),
    }
    centers = {TOP: Center(TOP, "基准县综治中心", "县", None)}
    centers.update({t: Center(t, t + "综治中心", "镇", TOP) for t in TOWNS})
    centers.update({v: Center(v, v.split("/")[1], "村", v.split("/")[0]) for v in VILLAGES})
    handler = Actor(role="调解员", where="routed_office")
    accept = Step(
        "接单",
        "接单",
        "task",
        handler,
        None,
        (Action("受理", "受理", "complete", "接单"), Action("退回", "退单", "return", "接单")),
    )
    return County(
        key=KEY,
        name="基准县",
        levels=levels,
        centers=centers,
        roles={"调解员": Role("调解员", "调解员")},
        offices={o: Office(o, o, ("调解员",), Stationing("resident"), ("镇",)) for o in OFFICES},
        studios={s: Studio(s, s, "司法所", None, "名调解员") for s in STUDIOS},
        windows={},
        categories={c: Category(c, c, None) for c in CATEGORIES},
        severities={"一般": Severity("一般", "一般", 0), "较大": Severity("较大", "较大", 1)},
        channels={c: Channel(c, c, c == "来访") for c in CHANNELS},
        routes=(),
        fallback=None,
        diversions={},
        calendars={},
        default_calendar="",
        processes={"四单": Process("四单", "四单", "接单", {"接单": accept})},
        default_process="四单",
        intake_form="",
        forms={},
    )


def _center(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.05:
        return TOP, "县"
    if roll < 0.40:
        return rng.choice(TOWNS), "镇"
    return rng.choice(VILLAGES), "村"


def cases(
    n: int, county_id: int, version_id: int, first_id: int, seed: int = 7
) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(case, party, ticket) rows; ids assigned here so parties and tickets can point at them."""
    rng = random.Random(seed)
    for i in range(n):
        case_id = first_id + i
        received = START + SPAN * ((i + rng.random()) / n)  # in time order, as cases arrive
        center, level = _center(rng)
        due = received + timedelta(days=rng.choice((3, 3, 3, 20)))
        finished = received + timedelta(hours=rng.expovariate(1 / 40))
        closed = finished < NOW and rng.random() < 0.97
        mediated = rng.random() < 0.6
        resolved = closed and rng.random() < 0.95
        row = {
            "id": case_id,
            "county_id": county_id,
            "version_id": version_id,
            "code": f"BX-{received.year}-{case_id:08d}",
            "title": "纠纷",
            "channel": rng.choice(CHANNELS),
            "window": None,
            "received_at": received,
            "received_by": "bench",
            "received_center": center,
            "visits": rng.choice((0, 0, 1, 1, 1, 2, 3)),
            "category": rng.choice(CATEGORIES),
            "severity": "一般",
            "location": rng.choice(VILLAGES),
            "process": "四单",
            "level": level,
            "center": center,
            "office": rng.choice(OFFICES),
            "step": None if closed else "接单",
            "status": "closed" if closed else rng.choice(("open", "open", "open", "suspended")),
            "colour": rng.choice(("", "", "蓝", "黄", "橙", "红")),
            "supervised": rng.random() < 0.1,
            "leader": None,
            "due_at": due,
            "suspended_at": None,
            "closed_at": finished if closed else None,
            "closed_on_time": (finished <= due) if closed else None,
            "outcome": "调解成功" if resolved else None,
            "resolved": resolved if closed else None,
            "mediated": mediated,
            "mediation_success": (rng.random() < 0.9) if mediated and closed else None,
            "diversion": "劳动仲裁" if rng.random() < 0.03 else None,
            "resolved_level": level if resolved else None,
            "resolved_center": center if resolved else None,
            "mediator": rng.choice(MEDIATORS) if mediated else None,
            "studio": rng.choice(STUDIOS) if rng.random() < 0.1 else None,
            "satisfaction": rng.choice(("满意", "满意", "满意", "基本满意", "不满意"))
            if closed and rng.random() < 0.8
            else None,
            "verified": None,
            "escalations": 0,
            "reopenings": 0,
            "data": {},
            "updated_at": received,
        }
        person = rng.randrange(n // 2 + 1)  # about one person in two comes twice
        party = {
            "case_id": case_id,
            "name": f"当事人{person}",
            "id_number": None,
            "phone": f"139{person:08d}",
            "role": "申请人",
        }
        taken = rng.random() < 0.92
        ticket = {
            "county_id": county_id,
            "case_id": case_id,
            "step": "接单",
            "name": "接单",
            "kind": "task",
            "state": "completed" if taken else "returned",
            "center": center,
            "office": row["office"],
            "role": "调解员",
            "join_group": None,
            "created_at": received,
            "due_at": received + timedelta(days=1),
            "colour": "",
            "claimed_by": None,
            "completed_at": received + timedelta(hours=rng.random() * 20),
            "completed_by": "bench",
            "action": "受理" if taken else "退回",
            "reason": None,
            "data": None,
        }
        yield row, party, ticket
