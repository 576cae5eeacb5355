"""The response timer across a suspension: the response clock does not stop (it is owed from
the report on), so a reminder and a supervision that came due while the case was suspended are
fired by the worker once it is resumed; the routed office's later claim still records the
response. Both backends."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import Deadline, Duration
from engine import timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.tables import CASE, EVENT, TICKET
from tests.engine.conftest import only_open
from tests.engine.counties import INTAKE, MONDAY, make_county, person
from tests.engine.test_worker import wait_for
from tests.web.test_response_timer import running_worker


def county_with_response() -> object:
    """testr: its 邻里纠纷 route owes a response within an hour; 派单 may be suspended."""
    county = make_county("testr", prefix="TR")
    first, *others = county.routes
    routes = (dataclasses.replace(first, response=Duration(1, "hour"), response_mode="到场"),)
    process = county.processes["五单"]
    dispatch = dataclasses.replace(
        process.steps["派单"], deadline=Deadline(Duration(1, "day"), suspend_allowed=True)
    )
    steps = {**process.steps, "派单": dispatch}
    return dataclasses.replace(
        county,
        routes=routes + tuple(others),
        processes={"五单": dataclasses.replace(process, steps=steps)},
    )


def notes_of(db: DbEngine, code: str, kind: str) -> list[str]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.note)
                .join(CASE, CASE.c.id == EVENT.c.case_id)
                .where(CASE.c.code == code, EVENT.c.kind == kind)
                .order_by(EVENT.c.id)
            ).scalars()
        )


def supervision_tickets(db: DbEngine, code: str) -> int:
    with db.connect() as conn:
        return len(
            conn.execute(
                select(TICKET.c.id)
                .join(CASE, CASE.c.id == TICKET.c.case_id)
                .where(CASE.c.code == code, TICKET.c.kind == "supervision")
            ).all()
        )


def test_stages_due_while_suspended_fire_on_resuming(db: DbEngine) -> None:
    clock = ManualClock(MONDAY)
    versions.publish(db, county_with_response(), by="测试")  # type: ignore[arg-type]
    wf = Engine(db, clock)
    dispatcher = person("testr", "d", ("城关镇/东门村", "调度员", None))
    mediator = person("testr", "m", ("城关镇/东门村", "调解员", "人民调解委员会"))
    view = wf.receive("12345平台", "testr", **INTAKE)
    clock.advance(timedelta(minutes=10))
    wf.suspend(dispatcher, only_open(view), reason="等待当事人到场")  # not the routed office
    with wf.db.connect() as conn:
        pending = [t.kind for t in timers.pending(conn, case_id=view.id)]
    assert not {"response_remind", "response_supervise"} & set(pending)  # stopped with the case
    clock.set(MONDAY + timedelta(hours=2))  # the hour ran out meanwhile
    view = wf.resume(dispatcher, only_open(view), reason="当事人已到")
    with running_worker(db, clock):
        wait_for(lambda: supervision_tickets(db, view.code) == 1, "the late supervision")
    assert notes_of(db, view.code, "reminded") == ["提醒调解员：响应时限（1 小时到场）将到"]
    assert "响应超时（1 小时到场）" in notes_of(db, view.code, "supervised")[0]
    view = wf.act(dispatcher, only_open(view), "派单", {})
    wf.claim(mediator, only_open(view))
    assert notes_of(db, view.code, "responded") == ["m签收，用时 120 分钟，已超过响应时限"]
