"""bench.engine_floor: the recorded chain, replayed without the engine, writes the same rows a
real chain writes (else its rate would not be the floor of anything)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine as DbEngine
from sqlalchemy import text

from bench.engine import one_case
from bench.engine_floor import READ_BACK, lean, record_chain, replay
from engine import driver, versions
from engine.cases import Engine
from engine.clock import ManualClock
from tests.engine.counties import MONDAY, make_county


def _case_rows(db: DbEngine, case_id: int) -> dict[str, Any]:
    with db.connect() as conn:
        case = conn.execute(
            text('SELECT status, step, closed_on_time, satisfaction FROM "case" WHERE id = :c'),
            {"c": case_id},
        ).one()
        tickets = conn.execute(
            text("SELECT step, state, completed_by FROM ticket WHERE case_id = :c ORDER BY id"),
            {"c": case_id},
        ).all()
        events = conn.execute(
            text("SELECT kind, actor FROM event WHERE case_id = :c ORDER BY id"), {"c": case_id}
        ).all()
        parties = conn.execute(
            text("SELECT name FROM case_party WHERE case_id = :c"), {"c": case_id}
        ).all()
    return {"case": tuple(case), "tickets": tickets, "events": events, "parties": parties}


def test_replayed_chains_write_what_the_engine_wrote(db: DbEngine) -> None:
    versions.publish(db, make_county("bench", prefix="BM"), by="bench")
    wf = Engine(db, ManualClock(MONDAY))
    one_case(wf, 0)
    chain = record_chain(db, lambda: one_case(wf, 1))
    assert driver.COUNT.log is None  # recording ends with the chain
    assert len(chain.transactions) == 6  # intake + five tickets, one transaction each
    assert len(chain.ticket_ids) == 5
    recorded = _case_rows(db, chain.case_id)
    assert recorded["case"][0] == "closed"

    assert replay(db, chain, cases=3, runs=1) > 0
    with db.connect() as conn:
        replayed = conn.execute(
            text("""SELECT id FROM "case" WHERE code LIKE 'FLOOR-%' ORDER BY id""")
        ).scalars()
        replayed_ids = list(replayed)
    assert len(replayed_ids) == 3
    for case_id in replayed_ids:
        assert _case_rows(db, case_id) == recorded
    assert _case_rows(db, chain.case_id) == recorded  # the recorded case itself untouched


def test_the_lean_chain_only_leaves_out_the_read_backs(db: DbEngine) -> None:
    versions.publish(db, make_county("bench", prefix="BM"), by="bench")
    wf = Engine(db, ManualClock(MONDAY))
    chain = record_chain(db, lambda: one_case(wf, 1))
    thin = lean(chain)
    full = [s.prepared.sql for t in chain.transactions for s in t]
    kept = [s.prepared.sql for t in thin.transactions for s in t]
    assert len(full) - len(kept) == 6  # one read-back per transaction
    assert kept == [sql for sql in full if not sql.startswith(READ_BACK)]
