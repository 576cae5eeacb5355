"""Trends, repeat groups, the overdue board and ledgers on the hand-built set (dataset.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from dsl.model import County
from engine.reports import ledgers, overdue, repeats, trends
from engine.reports.cohorts import Context
from engine.reports.periods import day_of, month_of
from engine.reports.scope import Scope
from engine.tables import Case
from tests.reports.builders import Seeder, local
from tests.reports.dataset import november

NOV = month_of(date(2026, 11, 1))


@pytest.fixture
def ctx(seed: Seeder, county: County) -> Context:
    return Context(seed.county_id, NOV, Scope(county, frozenset(county.centers)))


def test_daily_trend(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    days = [day_of(d) for d in NOV.days]
    with db.connect() as conn:
        points = trends.trend(conn, ctx, days)
    by_day = {p.label: (p.received, p.closed) for p in points}
    assert len(points) == 30
    assert by_day["11-01"] == (1, 0)  # H at midnight
    assert by_day["11-02"] == (0, 1)  # C closes
    assert by_day["11-03"] == (1, 0)  # A
    assert by_day["11-04"] == (0, 1)  # A closes
    assert by_day["11-16"] == (0, 1)  # J closes
    assert sum(p.received for p in points) == 7
    assert sum(p.closed for p in points) == 4


def test_monthly_trend(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    months = [month_of(date(2026, 10, 1)), NOV, month_of(date(2026, 12, 1))]
    with db.connect() as conn:
        points = trends.trend(conn, ctx, months)
    # received: Oct C F, Nov 7, Dec I; closed: Nov A B C J, Dec F
    assert [(p.label, p.received, p.closed) for p in points] == [
        ("2026-10", 2, 0),
        ("2026-11", 7, 4),
        ("2026-12", 1, 1),
    ]


def test_repeat_groups_are_masked(db: Engine, seed: Seeder, ctx: Context) -> None:
    case = november(seed)
    with db.connect() as conn:
        parties = repeats.by_party(conn, ctx)
        places = repeats.by_place(conn, ctx)
        code = dict(conn.execute(select(Case.id, Case.code)).all())

    def codes(*letters: str) -> tuple[str, ...]:
        return tuple(sorted(code[case[x]] for x in letters))

    # 张三/13800000001 on A B (I is December); 李四/13900000002 on E H; 周八 twice on G alone
    # and 张三 without phone on D alone are no repeats
    assert sorted((g.label, g.cases, g.codes) for g in parties) == [
        ("张*（138****0001）", 2, codes("A", "B")),
        ("李*（139****0002）", 2, codes("E", "H")),
    ]
    assert "13800000001" not in repr(parties)
    assert sorted((g.label, g.cases, g.codes) for g in places) == [
        ("东门村 · 邻里纠纷", 2, codes("A", "B")),
        ("西村 · 劳动争议", 2, codes("G", "J")),
        ("西村 · 邻里纠纷", 2, codes("D", "E")),
    ]


def test_repeat_groups_biggest_first_and_limited(db: Engine, seed: Seeder, ctx: Context) -> None:
    november(seed)
    third = [seed.case(received_at=local("2026-11-20 09:00")) for _ in range(2)]
    for number in third:
        seed.party(number, "李四", "13900000002")  # now on E H and these two: 4 cases
    with db.connect() as conn:
        parties = repeats.by_party(conn, ctx, limit=1)
        places = repeats.by_place(conn, ctx, limit=1)
    assert [(g.label, g.cases) for g in parties] == [("李*（139****0002）", 4)]
    # A B and the two new cases: 东门村 邻里 (the builder's default place and category)
    assert [(g.label, g.cases) for g in places] == [("东门村 · 邻里纠纷", 4)]


def test_overdue_board(db: Engine, seed: Seeder, county: County, ctx: Context) -> None:
    late = seed.case(
        due_at=local("2026-11-20 09:00"), colour="红", supervised=True, leader="王县长"
    )
    soon = seed.case(due_at=local("2026-11-21 08:00"), colour="黄")
    ungraded = seed.case(due_at=local("2026-11-19 09:00"))
    seed.case(due_at=local("2026-11-25 09:00"), colour="红")  # due in days: not on the board
    seed.case(due_at=local("2026-11-19 09:00"), status="closed")  # done: not on the board
    with db.connect() as conn:
        lanes = overdue.board(conn, ctx, local("2026-11-20 12:00"))
    assert [lane.colour for lane in lanes] == ["红", "黄", "未定级"]
    red, yellow, none = (lane.rows for lane in lanes)
    assert [r["id"] for r in red] == [late]
    assert red[0]["lateness"] == "已超期 3 小时"
    assert red[0]["supervised"] == "是"
    assert red[0]["leader"] == "王县长"
    assert [r["id"] for r in yellow] == [soon]
    assert yellow[0]["lateness"] == "20 小时后到期"
    assert [r["id"] for r in none] == [ungraded]
    assert none[0]["lateness"] == "已超期 1 天 3 小时"


COLUMNS = (("code", "案件编号"), ("title", "事项"), ("visits", "来访次数"))
ROWS = [
    {"code": "TX-1", "title": "邻里=纠纷", "visits": 2},
    {"code": "TX-2", "title": '=HYPERLINK("x")', "visits": 0},
]


def test_csv_ledger_has_chinese_headers_and_bom() -> None:
    data = ledgers.to_csv(COLUMNS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["案件编号", "事项", "来访次数"]
    assert table[1] == ["TX-1", "邻里=纠纷", "2"]
    assert table[2][1] == '\'=HYPERLINK("x")'  # never a live formula


def test_xlsx_ledger() -> None:
    book = load_workbook(io.BytesIO(ledgers.to_xlsx(COLUMNS, ROWS, "受理台账 2026/11")))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "受理台账 2026 11"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["案件编号", "事项", "来访次数"]
    assert values[1] == ["TX-1", "邻里=纠纷", 2]
    assert values[2][1] == '\'=HYPERLINK("x")'
