"""Drill-down lists hold exactly the cases a figure counted (dataset.py, by hand)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from dsl.model import County
from engine.reports import figures, lists
from engine.reports.cohorts import Context
from engine.reports.lists import ListError, Selection
from engine.reports.periods import month_of
from engine.reports.scope import Scope
from tests.reports.builders import TOWN_A, Seeder
from tests.reports.dataset import november

NOV = month_of(date(2026, 11, 1))


@pytest.fixture
def ctx(seed: Seeder, county: County) -> Context:
    return Context(seed.county_id, NOV, Scope(county, frozenset(county.centers)))


def ids(db: Engine, ctx: Context, sel: Selection) -> set[int]:
    with db.connect() as conn:
        return {row["id"] for row in lists.rows(conn, ctx, sel)}


def test_on_time_lists(db: Engine, seed: Seeder, ctx: Context) -> None:
    case = november(seed)
    assert ids(db, ctx, Selection("on_time", "num")) == {case["A"], case["C"], case["J"]}
    den = {case[x] for x in "ABCJDF"}
    assert ids(db, ctx, Selection("on_time", "den")) == den
    with db.connect() as conn:
        assert lists.count(conn, ctx, Selection("on_time", "den")) == 6


def test_every_list_matches_its_figure(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    with db.connect() as conn:
        total = figures.totals(conn, ctx)
        for metric in figures.METRICS:
            den = lists.count(conn, ctx, Selection(metric.key, "den"))
            assert den == total[metric.key].denominator, metric.key
            if metric.is_rate:
                num = lists.count(conn, ctx, Selection(metric.key, "num"))
                assert num == total[metric.key].numerator, metric.key


def test_list_by_dimension_value(db: Engine, seed: Seeder, ctx: Context) -> None:
    case = november(seed)
    assert ids(db, ctx, Selection("received", "den", "mediator", "王五")) == {case["A"], case["B"]}
    unset = ids(db, ctx, Selection("received", "den", "studio", "（未填）"))
    assert unset == {case[x] for x in "ADEGHJ"}
    town = ids(db, ctx, Selection("received", "den", "subtree", TOWN_A))
    assert town == {case["A"], case["B"], case["H"]}


def test_ledger_row_shows_names_and_local_times(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    with db.connect() as conn:
        rows = list(lists.rows(conn, ctx, Selection("mediation", "num")))
    assert len(rows) == 1
    row = rows[0]
    assert row["received_at"] == "2026-11-03 10:00"
    assert row["center"] == "东门村"
    assert row["office"] == "司法所"
    assert row["resolved"] == "是"
    assert row["status"] == "已办结"


def test_acceptance_lists_tickets(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    with db.connect() as conn:
        rows = list(lists.rows(conn, ctx, Selection("acceptance", "den")))
    assert [row["ticket_state"] for row in rows] == ["已接单", "退单", "已接单"]
    assert lists.columns_for(Selection("acceptance"))[0] == ("ticket", "单据")


@pytest.mark.parametrize(
    ("sel", "message"),
    [
        (Selection("nonsense"), "未知的指标"),
        (Selection("received", "num"), "计数指标"),
        (Selection("received", "den", "colour", "红"), "未知的统计维度"),
        (Selection("received", "den", "subtree", "火星"), "未知的中心"),
    ],
)
def test_bad_selection(db: Engine, ctx: Context, sel: Selection, message: str) -> None:
    with db.connect() as conn, pytest.raises(ListError, match=message):
        list(lists.rows(conn, ctx, sel))


def test_paging(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    with db.connect() as conn:
        first = [r["code"] for r in lists.rows(conn, ctx, Selection("received"), limit=3)]
        rest = [r["code"] for r in lists.rows(conn, ctx, Selection("received"), offset=3)]
    assert len(first) == 3
    assert len(rest) == 4
    assert not set(first) & set(rest)
