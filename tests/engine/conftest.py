"""Fixtures for the engine tests: published test counties, an engine on a manual clock, and
the people who work the five-ticket chain."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine

from engine import versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.scope import Principal
from engine.views import CaseView
from tests.engine.counties import INTAKE, MONDAY, make_county, person


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def wf(db: DbEngine, clock: ManualClock) -> Engine:
    versions.publish(db, make_county(), by="测试")
    return Engine(db, clock)


@pytest.fixture
def dispatcher() -> Principal:
    return person("testa", "zhangsan", ("城关镇/东门村", "调度员", None))


@pytest.fixture
def mediator() -> Principal:
    return person("testa", "lisi", ("城关镇/东门村", "调解员", "人民调解委员会"))


@pytest.fixture
def visitor() -> Principal:
    return person("testa", "wangwu", ("县中心", "回访员", None), ("县中心", "督办员", None))


def receive(wf: Engine, **changes: Any) -> CaseView:
    return wf.receive("12345平台", "testa", **{**INTAKE, **changes})


def only_open(view: CaseView) -> int:
    tickets = [t for t in view.open_tickets() if t.kind != "supervision"]
    assert len(tickets) == 1, tickets
    return tickets[0].id


def run_to_handling(
    wf: Engine, dispatcher: Principal, mediator: Principal, **changes: Any
) -> CaseView:
    view = receive(wf, **changes)
    view = wf.act(dispatcher, only_open(view), "派单", {})
    return wf.act(mediator, only_open(view), "接单", {})
