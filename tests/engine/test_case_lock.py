"""Changes to one case run one after the other: every write path locks the case row first
(PostgreSQL; SQLite's writers queue on BEGIN IMMEDIATE), and the timer worker leaves a busy
case's timers for its next poll instead of waiting (it holds timer rows an action may need)."""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select, text

from engine import actions, firing, timers
from engine.cases import Engine
from engine.clock import ManualClock
from engine.db import make_engine
from engine.scope import Principal
from engine.timers import timer as TIMER
from tests.engine.conftest import only_open, run_to_handling
from tests.engine.counties import person
from tests.support import run_at_once


def test_the_last_two_consultation_views_at_once_move_the_case_on(
    wf: Engine,
    db_url: str,
    clock: ManualClock,
    dispatcher: Principal,
    mediator: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    view = wf.act(mediator, only_open(view), "会商", {"调解结果": "需会商"})
    consult = {t.office: t.id for t in view.open_tickets()}
    experts = {
        "法院": person("testa", "judge", ("县中心", "法官", "法院")),
        "法律援助中心": person("testa", "lawyer", ("县中心", "律师", "法律援助中心")),
    }
    counting = actions._others_open
    both_finished = threading.Barrier(len(experts), timeout=1.0)

    def count_when_both_finished(move: Any, ticket: dict[str, Any]) -> bool:
        # Count the other views only once both actions have finished their own ticket (or a
        # second has passed): unserialized, each would then see the other's ticket still open
        # and neither would move the case on. Serialized, the second cannot get here while
        # the first is waiting, so the first goes on after the timeout.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_finished.wait()
        return counting(move, ticket)

    monkeypatch.setattr(actions, "_others_open", count_when_both_finished)
    engines = {office: Engine(make_engine(db_url), clock) for office in experts}
    raised = run_at_once(
        *(
            partial(mine.act, experts[office], consult[office], "提交意见", {})
            for office, mine in engines.items()
        )
    )
    for mine in engines.values():
        mine.db.dispose()
    assert raised == [None, None]
    after = wf.case(mediator, view.code)
    assert after is not None and after.step == "办理"
    assert [(t.step, t.state) for t in after.open_tickets()] == [("办理", "open")]


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not os.environ.get("YIDI_TEST_DATABASE_URL"),
    reason="PostgreSQL only: SQLite's single writer cannot hold a case while the worker runs",
)
def test_the_worker_leaves_a_busy_cases_timers_for_its_next_poll(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    clock.set(datetime(2026, 11, 18, 8, 0, tzinfo=UTC))  # the colour and reminder stages due
    with wf.db.connect() as holder:
        holder.execute(text('SELECT id FROM "case" WHERE id = :c FOR UPDATE'), {"c": view.id})
        fired: list[int] = []
        worker = threading.Thread(
            target=lambda: fired.append(timers.fire_due(wf.db, clock, firing.fire))
        )
        worker.start()
        worker.join(timeout=10)
        waited = worker.is_alive()
        holder.rollback()  # (lets a waiting worker finish before the assertions)
        worker.join()
    assert not waited and fired == [0]  # neither waited for the case nor fired its timers
    with wf.db.connect() as conn:
        waiting = conn.execute(
            select(TIMER.c.kind, TIMER.c.attempts, TIMER.c.last_error).where(
                TIMER.c.case_id == view.id,
                TIMER.c.fired_at.is_(None),
                TIMER.c.due_at <= clock.now(),
            )
        ).all()
    assert sorted(waiting) == [("colour", 0, None), ("remind", 0, None)]  # not failed either
    assert timers.fire_due(wf.db, clock, firing.fire) == 2
    after = wf.case(mediator, view.code)
    assert after is not None and after.colour == "黄"
