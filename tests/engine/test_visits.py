"""Recording a citizen's repeat visit (再次来访): the count goes up by one in one transaction
with a "visited" event, only on cases the principal may see, and the headline share of cases
resolved with at most one visit follows."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

from engine import flow, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.db import make_engine
from engine.errors import ActionRefused, NotFound
from engine.reports import figures
from engine.reports.cohorts import Context
from engine.reports.periods import month_of
from engine.reports.scope import Scope
from engine.scope import Principal
from engine.tables import CASE, EVENT
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import make_county, person
from tests.support import run_at_once

HIDDEN = "不在您的工作范围内"


def _state(db: DbEngine, code: str) -> tuple[int, object, int]:
    """(visits, updated_at, events) of the case as stored."""
    with db.connect() as conn:
        visits, updated, case_id = conn.execute(
            select(CASE.c.visits, CASE.c.updated_at, CASE.c.id).where(CASE.c.code == code)
        ).one()
        events = conn.execute(
            select(func.count()).select_from(EVENT).where(EVENT.c.case_id == case_id)
        ).scalar_one()
    return int(visits), updated, int(events)


def test_a_repeat_visit_counts_one_more_and_is_in_the_timeline(
    wf: Engine, db: DbEngine, clock: ManualClock, dispatcher: Principal
) -> None:
    view = receive(wf, visits=1)
    clock.advance(timedelta(hours=2))
    after = wf.record_visit(dispatcher, view.code, note="  当事人来问进度  ")
    assert after.visits == 2
    assert _state(db, view.code)[1] == clock.now()  # updated_at: the visit's time
    again = wf.record_visit(dispatcher, view.code)
    assert again.visits == 3 and _state(db, view.code)[0] == 3
    visited = [e for e in wf.timeline(dispatcher, view.code) if e.kind == "visited"]
    assert [(e.before, e.after) for e in visited] == [
        ({"visits": 1}, {"visits": 2}),
        ({"visits": 2}, {"visits": 3}),
    ]
    assert visited[0].note == "当事人来问进度" and visited[1].note == ""
    assert visited[0].actor == dispatcher.display_name


def test_a_visit_counts_on_a_suspended_case(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    wf.suspend(mediator, only_open(view), reason="当事人住院", approver="赵主任")
    after = wf.record_visit(mediator, view.code)
    assert (after.status, after.visits) == ("suspended", 2)


def test_a_principal_who_cannot_see_the_case_is_refused_and_nothing_is_written(
    wf: Engine, db: DbEngine, dispatcher: Principal
) -> None:
    view = receive(wf)
    other_town = person("testa", "o", ("河口镇", "调度员", None))
    versions.publish(db, make_county("testb", prefix="TB"), by="测试")
    other_county = person("testb", "b", ("城关镇/东门村", "调度员", None))
    before = _state(db, view.code)
    for outsider in (other_town, other_county):
        with pytest.raises(NotFound, match=HIDDEN):
            wf.record_visit(outsider, view.code, note="x")
    with pytest.raises(NotFound, match=HIDDEN):  # the same answer as for a hidden case
        wf.record_visit(dispatcher, "TA-2026-999999")
    assert _state(db, view.code) == before
    assert wf.record_visit(dispatcher, view.code).visits == before[0] + 1


def test_a_note_too_long_is_refused_and_nothing_is_written(
    wf: Engine, db: DbEngine, dispatcher: Principal
) -> None:
    view = receive(wf)
    before = _state(db, view.code)
    with pytest.raises(ActionRefused, match="来访说明不能超过 500 字"):
        wf.record_visit(dispatcher, view.code, note="长" * 501)
    assert _state(db, view.code) == before
    assert wf.record_visit(dispatcher, view.code, note="长" * 500).visits == before[0] + 1


def test_a_visit_after_closure_counts_and_moves_the_one_visit_share(
    wf: Engine,
    db: DbEngine,
    dispatcher: Principal,
    mediator: Principal,
    visitor: Principal,
) -> None:
    first = run_to_handling(wf, dispatcher, mediator)  # received with one visit (INTAKE)
    second = run_to_handling(wf, dispatcher, mediator)
    for view in (first, second):
        done = wf.act(mediator, only_open(view), "调解成功", {"调解结果": "和解"})
        done = wf.evaluate(done.code, "满意")
        assert wf.act(visitor, only_open(done), "核实", {}).status == "closed"
    county_id, _, county = versions.current_version(db, "testa")
    whole = Scope(county, frozenset(county.centers))
    context = Context(county_id, month_of(date(2026, 11, 1)), whole)  # MONDAY is in November

    def one_visit() -> figures.Figure:
        with db.connect() as conn:
            return figures.totals(conn, context, ["one_visit"])["one_visit"]

    assert one_visit() == figures.Figure(2, 2)
    after = wf.record_visit(dispatcher, first.code, note="结案后又来反映")
    assert (after.status, after.visits) == ("closed", 2)
    assert one_visit() == figures.Figure(1, 2)


def test_two_clerks_recording_at_once_count_two_visits(
    wf: Engine,
    db: DbEngine,
    db_url: str,
    clock: ManualClock,
    dispatcher: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = receive(wf)
    clerks = 2
    both_read = threading.Barrier(clerks, timeout=1.0)
    save = flow.save

    def save_when_both_read(move: flow.Move) -> None:
        # Write only once both have read the count (or a second has passed): unserialized,
        # both would write the same count + 1 and one visit would be lost. With the case row
        # locked, the second cannot read while the first waits here; the first goes on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        save(move)

    monkeypatch.setattr(flow, "save", save_when_both_read)
    engines = [Engine(make_engine(db_url), clock) for _ in range(clerks)]
    raised = run_at_once(
        *(
            partial(mine.record_visit, dispatcher, view.code, note=f"窗口{index}")
            for index, mine in enumerate(engines)
        )
    )
    for mine in engines:
        mine.db.dispose()
    assert raised == [None] * clerks
    assert _state(db, view.code)[0] == 1 + clerks
    visited = [e for e in wf.timeline(dispatcher, view.code) if e.kind == "visited"]
    assert sorted(e.after["visits"] for e in visited if e.after) == [2, 3]
