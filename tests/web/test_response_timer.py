"""The route's response timer (putuo: `分派 标签 本岛 -> 镇 人民调解委员会 响应 30 分钟 到场`):
armed at intake, its reminder and supervision fired by the timer worker as the clock passes
them, answered by the routed office's first 签收 or action over HTTP (recorded, its stages
cancelled). Both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import dsl
from admin.accounts import MembershipSpec
from engine import timers, versions, worker
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.db import writer
from engine.scope import system
from engine.tables import CASE, EVENT, TICKET
from tests.engine.test_worker import wait_for
from tests.web.casework import MONDAY, open_ticket
from tests.web.conftest import PASSWORD
from tests.web.counties import DEFINITIONS
from tests.web.test_web_ticket_ops import post, sign_in

TOWN, VILLAGE, TOP = "沈家门街道", "鲁家峙社区", "普陀区矛调中心"
RESPONSE_KINDS = {"response_remind", "response_supervise"}


@cache
def putuo() -> Any:
    return dsl.compile_county(DEFINITIONS / "putuo")


def intake() -> dict[str, Any]:
    return {
        "channel": "来访",
        "category": "邻里纠纷",
        "severity": "一般",
        "location": {"town": TOWN, "village": VILLAGE},
        "parties": [{"name": "王阿娣", "role": "申请人", "phone": "13812345678"}],
        "summary": "邻居搭建渔具棚占用通道，双方争执，请求到场调解。",
    }


def received_and_dispatched(db: Engine, clock: ManualClock) -> str:
    """A case received at 09:00 on the island (本岛) and sent on by the window at 09:05: the
    调处 ticket waits at the town's 人民调解委员会."""
    versions.publish(db, putuo(), by="测试")
    work = Workflow(db, clock)
    actor = system("测试", "putuo")
    data = intake()
    view = work.receive(
        actor,
        "putuo",
        channel="来访",
        window="无差别受理窗口",
        category="邻里纠纷",
        severity="一般",
        location=VILLAGE,
        parties=data["parties"],
        data=data,
        center=TOWN,
    )
    clock.advance(timedelta(minutes=5))
    work.act(actor, open_ticket(db, view.code), "派单", data)  # the window's ticket: no response
    return view.code


def work_ticket(db: Engine, code: str) -> int:
    """The case's open work ticket (not a 督办单)."""
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
            ).scalar_one()
        )


def case_row(db: Engine, code: str) -> Any:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).mappings().one()


def events(db: Engine, code: str, kind: str) -> list[str]:
    with db.connect() as conn:
        return list(
            conn.execute(
                select(EVENT.c.note)
                .join(CASE, CASE.c.id == EVENT.c.case_id)
                .where(CASE.c.code == code, EVENT.c.kind == kind)
                .order_by(EVENT.c.id)
            ).scalars()
        )


def supervision(db: Engine, code: str) -> list[tuple[str, str]]:
    with db.connect() as conn:
        return [
            (r.center, r.role)
            for r in conn.execute(
                select(TICKET.c.center, TICKET.c.role)
                .join(CASE, CASE.c.id == TICKET.c.case_id)
                .where(CASE.c.code == code, TICKET.c.kind == "supervision")
            )
        ]


def response_timers(db: Engine, code: str) -> list[str]:
    case_id = case_row(db, code)["id"]
    with db.connect() as conn:
        return sorted(
            t.kind for t in timers.pending(conn, case_id=case_id) if t.kind in RESPONSE_KINDS
        )


@contextmanager
def running_worker(db: Engine, clock: ManualClock) -> Iterator[None]:
    """The timer worker loop as `yidi worker` runs it (the engine's handlers), on the test clock."""
    worker.load_handler_modules()
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker,
        args=(db, clock, timers.DEFAULT_DISPATCHER),
        kwargs={"poll_interval": 0.01, "stop_event": stop, "worker_id": "测试"},
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def people(make_user: Callable[..., str]) -> dict[str, str]:
    return {
        "mediator": make_user(
            "pt_mediator",
            MembershipSpec(TOWN, "调解员", "人民调解委员会"),
            county="putuo",
            display_name="调解员老陈",
        ),
    }


def test_the_worker_reminds_then_supervises_and_a_late_claim_is_recorded(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    code = received_and_dispatched(db, clock)
    case = case_row(db, code)
    assert case["response_due_at"] == MONDAY + timedelta(minutes=30)
    assert case["responded_at"] is None  # the window sending it on is not the response
    assert response_timers(db, code) == ["response_remind", "response_supervise"]
    with running_worker(db, clock):
        clock.set(MONDAY + timedelta(minutes=25))  # past 80% of the 30 minutes
        wait_for(lambda: bool(events(db, code, "reminded")), "the response reminder")
        assert supervision(db, code) == []
        clock.set(MONDAY + timedelta(minutes=31))  # nobody has responded in time
        wait_for(lambda: bool(supervision(db, code)), "the response supervision")
    assert events(db, code, "reminded") == ["提醒调解员：响应时限（30 分钟到场）将到"]
    assert supervision(db, code) == [(TOP, "督办员")]  # the process's own 督办 督办员 @ 区
    [supervised] = events(db, code, "supervised")
    assert "响应超时（30 分钟到场）" in supervised
    assert case_row(db, code)["supervised"] is True
    assert response_timers(db, code) == []

    mediator = people(make_user)["mediator"]
    sign_in(client, mediator, PASSWORD)
    assert "2026-11-02 09:30 前 · 尚未响应" in client.get(f"/cases/{code}").text
    ticket = work_ticket(db, code)
    answer = post(client, code, f"/tickets/{ticket}/claim")
    assert answer.status_code == 303, answer.text
    case = case_row(db, code)
    assert case["responded_at"] == MONDAY + timedelta(minutes=31)
    assert case["responded_by"] == "调解员老陈"
    assert events(db, code, "responded") == ["调解员老陈签收，用时 31 分钟，已超过响应时限"]
    page = client.get(f"/cases/{code}").text
    assert "首次响应" in page and "用时 31 分钟" in page
    assert "2026-11-02 09:30 前 · 调解员老陈 于 2026-11-02 09:31 响应（超时）" in page


def test_a_claim_in_time_records_the_response_and_cancels_its_stages(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    code = received_and_dispatched(db, clock)
    mediator = people(make_user)["mediator"]
    clock.set(MONDAY + timedelta(minutes=12))
    sign_in(client, mediator, PASSWORD)
    answer = post(client, code, f"/tickets/{work_ticket(db, code)}/claim")
    assert answer.status_code == 303, answer.text
    case = case_row(db, code)
    assert (case["responded_at"], case["responded_by"]) == (
        MONDAY + timedelta(minutes=12),
        "调解员老陈",
    )
    assert events(db, code, "responded") == ["调解员老陈签收，用时 12 分钟"]
    assert response_timers(db, code) == []  # the stages still to come are gone
    clock.set(MONDAY + timedelta(hours=3))
    marker = _marker(db, clock.now())  # due now, like the cancelled stages would be
    with running_worker(db, clock):
        wait_for(lambda: _fired(db, marker), "the worker to poll past the response limit")
    assert events(db, code, "reminded") == [] and supervision(db, code) == []


def _marker(db: Engine, due: datetime) -> int:
    """A no-op timer: once it has fired, the worker has fired everything due before it."""
    timers.register_handler("测试标记", lambda conn, row, now: None)
    with writer(db).begin() as conn:
        return timers.schedule(
            conn, county_id=0, case_id=None, ticket_id=None, kind="测试标记", due_at=due
        )


def _fired(db: Engine, timer_id: int) -> bool:
    with db.connect() as conn:
        query = select(timers.timer.c.fired_at).where(timers.timer.c.id == timer_id)
        return conn.execute(query).scalar_one() is not None


def test_acting_without_claiming_is_the_response_too(
    client: TestClient, db: Engine, clock: ManualClock, make_user: Callable[..., str]
) -> None:
    code = received_and_dispatched(db, clock)
    mediator = people(make_user)["mediator"]
    clock.set(MONDAY + timedelta(minutes=20))
    sign_in(client, mediator, PASSWORD)
    ticket = work_ticket(db, code)
    answer = post(
        client,
        code,
        f"/tickets/{ticket}/act/调解成功",
        method="人民调解",
        result="化解成功",
        notes="到场调解，双方达成协议。",
    )
    assert answer.status_code == 303, answer.text
    assert case_row(db, code)["responded_at"] == MONDAY + timedelta(minutes=20)
    assert events(db, code, "responded") == ["调解员老陈办理「调解成功」，用时 20 分钟"]
    assert response_timers(db, code) == []
