"""Reading: scoped case views, inbox tabs, search, the citizen's progress, the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from engine import qr
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.scope import Principal
from engine.tables import EVENT
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import person


def test_cases_are_visible_only_within_scope(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    county_center = person("testa", "c", ("县中心", "调度员", None))  # above: sees it
    other_town = person("testa", "o", ("河口镇", "调度员", None))
    other_county = person("testb", "b", ("城关镇/东门村", "调度员", None))
    assert wf.case(dispatcher, view.code) is not None
    assert wf.case(county_center, view.code) is not None
    assert wf.case(other_town, view.code) is None
    assert wf.timeline(other_town, view.code) == []
    assert wf.search(other_town, view.code) == []
    assert wf.case(other_county, view.code) is None  # testb is not even published


def test_inbox_tabs_overdue_first_and_paged(
    wf: Engine, clock: ManualClock, dispatcher: Principal, mediator: Principal
) -> None:
    late = run_to_handling(wf, dispatcher, mediator)
    clock.set(datetime(2026, 11, 18, 1, 0, tzinfo=UTC))
    fresh = run_to_handling(wf, dispatcher, mediator)
    clock.set(datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    todo = wf.inbox(mediator)
    assert [r.case_code for r in todo.items] == [late.code, fresh.code] and todo.items[0].overdue
    assert [r.case_code for r in wf.inbox(mediator, tab="overdue").items] == [late.code]
    page = wf.inbox(mediator, per_page=1)
    assert page.has_next and len(page.items) == 1
    assert wf.inbox(mediator, page=2, per_page=1).items[0].case_code == fresh.code
    done = wf.inbox(mediator, tab="done")
    assert {r.step for r in done.items} == {"接单"}
    assert wf.inbox(dispatcher).items == []
    assert wf.inbox(mediator, filters={"severity": "较大"}).items == []
    with pytest.raises(ActionRefused, match="没有「全部」这个标签页"):
        wf.inbox(mediator, tab="全部")


def test_search_by_code_name_or_phone(wf: Engine, dispatcher: Principal) -> None:
    view = receive(wf)
    receive(wf, parties=[{"name": "赵六", "phone": "13900000000"}])
    for text in (view.code, "王五", "13800001234"):
        assert [r.code for r in wf.search(dispatcher, text)] == [view.code]
    assert wf.search(dispatcher, "  ") == []


def test_citizen_progress_needs_the_partys_phone_and_hides_notes(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = receive(wf)
    wf.act(dispatcher, only_open(view), "派单", {})
    assert wf.progress(view.code, "13000000000") is None
    found = wf.progress(view.code, "13800001234")
    assert found is not None and (found.status, found.stage) == ("办理中", "接单")
    assert [name for name, _ in found.history] == ["派单"] and found.due_at == view.due_at
    assert not hasattr(found, "parties") and not hasattr(found, "data")


def test_every_change_appends_events_with_before_and_after(
    wf: Engine, db: DbEngine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    events = wf.timeline(dispatcher, view.code)
    # the last: the step after 接单 signed for by the accepter (engine.actions._carry_on)
    assert [e.kind for e in events] == ["received", "completed", "completed", "claimed"]
    assert events[1].actor == "张三" and events[1].after == {"step": "派单", "action": "派单"}
    with db.connect() as conn:
        count = conn.execute(select(func.count()).select_from(EVENT)).scalar_one()
    wf.act(mediator, only_open(view), "提级", {}, reason="复杂")
    with db.connect() as conn:
        first_rows = conn.execute(
            select(EVENT.c.id, EVENT.c.kind).order_by(EVENT.c.id).limit(count)
        ).all()
        total = conn.execute(select(func.count()).select_from(EVENT)).scalar_one()
    assert [k for _, k in first_rows] == [e.kind for e in events] and total > count
    escalated = next(e for e in wf.timeline(dispatcher, view.code) if e.kind == "escalated")
    assert escalated.before == {"center": "城关镇/东门村", "level": "村"}
    assert escalated.after == {"center": "城关镇", "level": "镇"}


def test_qr_svg_of_the_code() -> None:
    image = qr.svg("TA-2026-000001")
    assert image.startswith("<svg") and "TA-2026-000001" in image


def test_the_view_an_action_returns_is_the_view_read_afterwards(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    """The returned view (tickets and parties read in one statement) lists every ticket in id
    order with its fields and every party in order, masked: the same as a fresh read."""
    two = [
        {"name": "王五", "phone": "13800001234", "id_number": "420902199001011234"},
        {"name": "赵六", "phone": "13900005678", "role": "被申请人"},
    ]
    view = run_to_handling(wf, dispatcher, mediator, parties=two)
    assert [(p.name, p.role, p.phone) for p in view.parties] == [
        ("王五", "申请人", "138****1234"),
        ("赵六", "被申请人", "139****5678"),
    ]
    assert view.parties[0].id_number == "420902********1234" and view.parties[1].id_number == ""
    assert [t.state for t in view.tickets] == ["completed", "completed", "claimed"]
    assert [t.id for t in view.tickets] == sorted(t.id for t in view.tickets)
    assert view.tickets[0].completed_by == dispatcher.username and view.tickets[0].completed_at
    assert view == wf.case(dispatcher, view.code)


def test_finished_ticket_indexes_hold_finished_tickets_and_are_chosen(db: DbEngine) -> None:
    """Migration 0010: the 已办 and report indexes are partial (open tickets cost them no
    writes) and the planner still picks them for a finisher's or a period's tickets."""
    done = "SELECT id FROM ticket WHERE completed_by = 'x' ORDER BY completed_at DESC"
    period = (
        "SELECT count(*) FROM ticket WHERE county_id = 1 AND completed_at >= '2026-01-01'"
        " AND completed_at < '2026-02-01'"
    )
    with db.connect() as conn:
        if db.dialect.name == "sqlite":
            found = dict(
                conn.execute(
                    sql_text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'ticket'")
                ).all()
            )
            plans = [
                " ".join(str(r[-1]) for r in conn.execute(sql_text(f"EXPLAIN QUERY PLAN {q}")))
                for q in (done, period)
            ]
        else:
            found = dict(
                conn.execute(
                    sql_text(
                        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ticket'"
                    )
                ).all()
            )
            conn.execute(sql_text("SET LOCAL enable_seqscan = off"))
            # On empty tables the inbox index (it leads with county_id) costs the same as
            # the partial one for the period query, and PostgreSQL may pick either; without it
            # (dropped inside this transaction, which is rolled back) the plan shows whether
            # the partial index's condition is recognised as implied by the query's.
            conn.execute(sql_text("DROP INDEX ix_ticket_inbox"))
            plans = [
                " ".join(r[0] for r in conn.execute(sql_text(f"EXPLAIN {q}")))
                for q in (done, period)
            ]
            conn.rollback()
    assert "completed_by IS NOT NULL" in found["ix_ticket_done"]
    assert "completed_at IS NOT NULL" in found["ix_ticket_county_completed"]
    assert "ix_ticket_done" in plans[0] and "ix_ticket_county_completed" in plans[1]
