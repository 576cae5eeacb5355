"""A xiaogan case brought to a given step through the engine's public API, for the tests of
the case page's ticket operations (签收, 中止, 恢复, 延期) over HTTP and in the browser."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from engine.cases import Engine as Workflow
from engine.clock import CST, ManualClock
from engine.scope import system
from engine.tables import TICKET
from tests.web.counties import intake_data
from tests.web.flow import TOWN

# A Monday morning in the county: working time runs on from here.
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=CST)


def open_case(db: Engine, clock: ManualClock, step: str = "办理") -> str:
    """Register a case and move it to `step` (派单: awaiting the dispatcher; 接单: awaiting the
    office; 办理: being handled)."""
    work = Workflow(db, clock)
    actor = system("测试", "xiaogan")
    data = intake_data(channel="来访")
    view = work.receive(
        actor,
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category=data["category"],
        severity=data["severity"],
        location="书院社区",
        parties=data["parties"],
        data=data,
        center=TOWN,
    )
    if step == "派单":  # received, awaiting the dispatcher
        return view.code
    work.act(actor, open_ticket(db, view.code), "派发", {"office": "司法所"})
    if step == "办理":
        work.act(actor, open_ticket(db, view.code), "接收", {})
    return view.code


def open_ticket(db: Engine, code: str) -> int:
    """The id of the case's one open ticket (the step it is at; the 督办单 link that runs
    beside 接单 and 办理 is not one)."""
    from engine.tables import CASE

    with db.connect() as conn:
        return int(
            conn.execute(
                select(TICKET.c.id)
                .join(CASE, CASE.c.id == TICKET.c.case_id)
                .where(
                    CASE.c.code == code,
                    TICKET.c.state.in_(("open", "claimed")),
                    TICKET.c.kind != "supervision",
                )
                .order_by(TICKET.c.id.desc())
            ).scalar_one()
        )
