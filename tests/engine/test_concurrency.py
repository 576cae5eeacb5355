"""Two people acting on one ticket at the same moment, each on their own connection pool:
exactly one succeeds, the other is told who handled it; the case moves once."""

from __future__ import annotations

from functools import partial

from sqlalchemy import func, select

from engine.cases import Engine
from engine.clock import ManualClock
from engine.db import make_engine
from engine.errors import ActionRefused
from engine.tables import TICKET
from tests.engine.conftest import only_open, receive
from tests.engine.counties import person
from tests.support import run_at_once

ROUNDS = 8


def test_exactly_one_of_two_concurrent_actors_wins(
    wf: Engine, db_url: str, clock: ManualClock
) -> None:
    tickets = [only_open(receive(wf)) for _ in range(ROUNDS)]
    actors = [
        person("testa", "zhangsan", ("城关镇/东门村", "调度员", None)),
        person("testa", "lisi", ("城关镇/东门村", "调度员", None)),
    ]
    engines = [Engine(make_engine(db_url), clock) for _ in actors]
    outcomes: list[list[str]] = [[], []]
    for ticket in tickets:
        pairs = zip(engines, actors, strict=True)
        raised = run_at_once(*(partial(e.act, actor, ticket, "派单", {}) for e, actor in pairs))
        for index, error in enumerate(raised):
            outcomes[index].append(_outcome(error))
    for mine in engines:
        mine.db.dispose()
    for first, second in zip(*outcomes, strict=True):
        assert sorted([first == "won", second == "won"]) == [False, True]
        loser = second if first == "won" else first
        assert loser.startswith("该单已由 ") and ("张三" in loser or "李四" in loser)
        assert loser.endswith("2026-11-16 09:00 办理")
    with wf.db.connect() as conn:
        # each case moved once: one 接单 ticket per case, never two
        per_case = conn.execute(
            select(TICKET.c.case_id, func.count())
            .where(TICKET.c.step == "接单")
            .group_by(TICKET.c.case_id)
        ).all()
    assert len(per_case) == ROUNDS and all(count == 1 for _, count in per_case)


def _outcome(raised: BaseException | None) -> str:
    """ "won", or the refusal the loser was given (anything else fails the test)."""
    if raised is None:
        return "won"
    if isinstance(raised, ActionRefused):
        return raised.message
    raise raised


def test_a_claim_and_an_action_at_once_leave_one_winner(
    wf: Engine, db_url: str, clock: ManualClock
) -> None:
    claimer = person("testa", "zhangsan", ("城关镇/东门村", "调度员", None))
    actor = person("testa", "lisi", ("城关镇/东门村", "调度员", None))
    claiming, acting = (Engine(make_engine(db_url), clock) for _ in range(2))
    outcomes: list[dict[str, str]] = []
    for _ in range(ROUNDS):
        ticket = only_open(receive(wf))
        claim, act = run_at_once(
            partial(claiming.claim, claimer, ticket),
            partial(acting.act, actor, ticket, "派单", {}),
        )
        outcomes.append({"claim": _outcome(claim), "act": _outcome(act)})
    claiming.db.dispose()
    acting.db.dispose()
    for outcome in outcomes:
        # Either the claim came first (the action is refused: signed for by another) or the
        # action did (the claim is refused: already handled); never both, never neither.
        claimed, acted = outcome["claim"] == "won", outcome["act"] == "won"
        assert claimed != acted, outcome
        if claimed:
            assert "已由 zhangsan 签收" in outcome["act"]
        else:
            assert outcome["claim"].startswith("该单已由 李四")
