"""Counties side by side: a user of one county never works another county's tickets, even
where both counties name their centers, roles and offices alike (the test counties do)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine as DbEngine

from dsl.model import Duration
from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused
from engine.scope import Principal
from tests.engine.conftest import only_open, receive, run_to_handling
from tests.engine.counties import make_county, person

REFUSED = "该单不属于您所在的县区"


@pytest.fixture
def outsider(db: DbEngine) -> Principal:
    versions.publish(db, make_county("testb", prefix="TB"), by="测试")
    return person(
        "testb",
        "zhao",
        ("城关镇/东门村", "调度员", None),
        ("城关镇/东门村", "调解员", "人民调解委员会"),
    )


def test_another_countys_user_is_offered_nothing_and_refused(
    wf: Engine, outsider: Principal, dispatcher: Principal
) -> None:
    ticket = only_open(receive(wf))
    assert wf.available_actions(outsider, ticket) == []
    with pytest.raises(ActionRefused, match=REFUSED):
        wf.act(outsider, ticket, "派单", {})
    with pytest.raises(ActionRefused, match=REFUSED):
        wf.claim(outsider, ticket)
    view = wf.act(dispatcher, ticket, "派单", {})  # untouched: its own county's user goes on
    assert view.step == "接单"


def test_another_countys_user_cannot_stop_extend_or_resume_the_clock(
    wf: Engine,
    outsider: Principal,
    clock: ManualClock,
    dispatcher: Principal,
    mediator: Principal,
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    ticket = only_open(view)
    with pytest.raises(ActionRefused, match=REFUSED):
        wf.suspend(outsider, ticket, reason="当事人住院", approver="赵主任")
    with pytest.raises(ActionRefused, match=REFUSED):
        wf.extend(
            outsider, ticket, amount=Duration(2, "working_days"), reason="证据", approver="赵主任"
        )
    wf.suspend(mediator, ticket, reason="当事人住院", approver="赵主任")
    clock.advance(timedelta(days=1))
    with pytest.raises(ActionRefused, match=REFUSED):
        wf.resume(outsider, ticket, reason="已出院")
    assert wf.resume(mediator, ticket, reason="已出院").status == "open"
