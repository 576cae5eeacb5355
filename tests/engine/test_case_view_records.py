"""The returned CaseView and its TicketViews, built without their generated __init__, are the
same records the constructors make: equal, every field set, the declared types' values."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from engine.cases import Engine
from engine.scope import Principal
from engine.views import CaseView, PartyView, TicketView
from tests.engine.conftest import run_to_handling


def _rebuilt(view: CaseView) -> CaseView:
    fields = {f.name: getattr(view, f.name) for f in dataclasses.fields(CaseView)}
    fields["tickets"] = tuple(
        TicketView(*(getattr(t, f.name) for f in dataclasses.fields(TicketView)))
        for t in view.tickets
    )
    return CaseView(**fields)


def test_views_from_an_action_equal_constructed_ones(
    wf: Engine, dispatcher: Principal, mediator: Principal
) -> None:
    view = run_to_handling(wf, dispatcher, mediator)
    assert len(view.tickets) == 3 and view.parties
    assert view == _rebuilt(view)
    assert set(vars(view)) == {f.name for f in dataclasses.fields(CaseView)}
    for ticket in view.tickets:
        assert isinstance(ticket, TicketView)
        assert set(vars(ticket)) == {f.name for f in dataclasses.fields(TicketView)}
        assert isinstance(ticket.created_at, datetime) and ticket.created_at.tzinfo is not None
    # the step after 接单 is the accepter's: signed for on their behalf (engine.actions._carry_on)
    assert [t.state for t in view.tickets] == ["completed", "completed", "claimed"]
    assert all(isinstance(p, PartyView) for p in view.parties)
    assert view.county == "testa" and view.open_tickets() == [view.tickets[-1]]
    # still frozen
    try:
        view.tickets[0].state = "open"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a TicketView accepted an assignment")
