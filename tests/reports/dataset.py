"""The hand-built November 2026 case set of the figure tests, with its expected values worked
out by hand in `tests/reports/test_report_figures.py`."""

from __future__ import annotations

from tests.reports.builders import TOP, TOWN_B, VILLAGE_A, VILLAGE_B, Seeder, local


def november(seed: Seeder) -> dict[str, int]:
    """Cases A..J; returns their ids by letter."""
    ids: dict[str, int] = {}
    ids["A"] = seed.case(
        received_at=local("2026-11-03 10:00"),
        status="closed",
        closed_at=local("2026-11-04 10:00"),
        resolved=True,
        mediated=True,
        mediation_success=True,
        closed_on_time=True,
        satisfaction="满意",
        visits=1,
        resolved_level="村",
        center=VILLAGE_A,
        level="村",
        mediator="王五",
    )
    seed.party(ids["A"], "张三", "13800000001")
    seed.party(ids["A"], "赵六")
    ids["B"] = seed.case(
        received_at=local("2026-11-05 09:00"),
        status="closed",
        closed_at=local("2026-11-20 09:00"),
        resolved=False,
        mediated=True,
        mediation_success=False,
        closed_on_time=False,
        satisfaction="不满意",
        visits=2,
        mediator="王五",
        studio="老李",
    )
    seed.party(ids["B"], "张三", "13800000001")
    ids["C"] = seed.case(
        received_at=local("2026-10-25 09:00"),
        status="closed",
        closed_at=local("2026-11-02 09:00"),
        resolved=True,
        closed_on_time=True,
        satisfaction="基本满意",
        visits=0,
        resolved_level="县",
        center=TOP,
        level="县",
        office="信访局",
        channel="12345",
    )
    seed.party(ids["C"], "赵六")
    ids["D"] = seed.case(
        received_at=local("2026-11-10 09:00"),
        due_at=local("2026-11-15 17:30"),
        center=TOWN_B,
        location=VILLAGE_B,
    )
    seed.party(ids["D"], "张三")
    ids["E"] = seed.case(
        received_at=local("2026-11-25 09:00"),
        due_at=local("2026-12-05 17:30"),
        center=TOWN_B,
        location=VILLAGE_B,
    )
    seed.party(ids["E"], "李四", "13900000002")
    ids["F"] = seed.case(
        received_at=local("2026-10-01 09:00"),
        due_at=local("2026-10-20 17:30"),
        status="closed",
        closed_at=local("2026-12-02 09:00"),
        closed_on_time=False,
        resolved=True,
        category="婚姻家庭",
    )
    ids["G"] = seed.case(
        received_at=local("2026-11-12 09:00"),
        due_at=local("2026-11-14 17:30"),
        status="suspended",
        suspended_at=local("2026-11-13 09:00"),
        center=TOWN_B,
        location=VILLAGE_B,
        category="劳动争议",
    )
    seed.party(ids["G"], "周八")
    seed.party(ids["G"], "周八")
    ids["H"] = seed.case(received_at=local("2026-11-01 00:00"), category="婚姻家庭")
    seed.party(ids["H"], "李四", "13900000002")
    ids["I"] = seed.case(received_at=local("2026-12-01 00:00"))
    seed.party(ids["I"], "张三", "13800000001")
    ids["J"] = seed.case(
        received_at=local("2026-11-15 09:00"),
        status="closed",
        closed_at=local("2026-11-16 09:00"),
        resolved=True,
        diversion="劳动仲裁",
        closed_on_time=True,
        visits=1,
        resolved_level="镇",
        channel="12345",
        category="劳动争议",
        location=VILLAGE_B,
        center=TOWN_B,
    )
    seed.party(ids["J"], "孙七")
    # acceptance tickets (step 接单 offers 退回, a return): two taken, one returned in
    # November; one taken in October; one 办理 ticket that is no acceptance at all
    seed.ticket(ids["A"], "接单", "completed", local("2026-11-03 11:00"))
    seed.ticket(ids["B"], "接单", "returned", local("2026-11-05 10:00"))
    seed.ticket(ids["B"], "接单", "completed", local("2026-11-06 10:00"))
    seed.ticket(ids["D"], "接单", "completed", local("2026-10-30 10:00"))
    seed.ticket(ids["D"], "办理", "completed", local("2026-11-10 10:00"))
    return ids
