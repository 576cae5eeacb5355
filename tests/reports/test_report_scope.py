"""Figures and lists count only what the viewer may see (dataset.py; expected by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from dsl.model import County
from engine.reports import figures, lists
from engine.reports.cohorts import Context
from engine.reports.figures import Figure
from engine.reports.periods import month_of
from engine.reports.scope import scope_for, subtree
from tests.reports.builders import TOP, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B, Seeder
from tests.reports.dataset import november

NOV = month_of(date(2026, 11, 1))


@dataclass(frozen=True)
class Member:
    center: str
    role: str = "主任"
    office: str | None = None
    window: str | None = None


@dataclass(frozen=True)
class Viewer:
    username: str
    county: str
    memberships: tuple[Member, ...]
    is_admin: bool = False
    display_name: str = ""


def test_subtree(county: County) -> None:
    assert subtree(county, TOWN_A) == {TOWN_A, VILLAGE_A}
    assert subtree(county, TOP) == set(county.centers)
    assert subtree(county, VILLAGE_B) == {VILLAGE_B}


def test_town_leader_sees_own_town_only(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    scope = scope_for(county, Viewer("he", county.key, (Member(TOWN_B),)))
    assert scope.centers == {TOWN_B, VILLAGE_B}
    with db.connect() as conn:
        got = figures.totals(conn, Context(seed.county_id, NOV, scope))
    # 河口镇: received D E G J; closed J; overdue open D
    assert got["received"].value == 4
    assert got["on_time"] == Figure(1, 2)
    # E's party 李四 also appears on H, but H is in 城关镇: not visible, so no repeat here
    assert got["repeat_party"] == Figure(0, 4)
    assert got["repeat_place"] == Figure(4, 4)  # D E 西村 邻里, G J 西村 劳动


def test_office_membership_sees_its_office_at_its_center(
    db: Engine, seed: Seeder, county: County
) -> None:
    case = november(seed)
    scope = scope_for(county, Viewer("xf", county.key, (Member(TOP, office="信访局"),)))
    with db.connect() as conn:
        got = figures.totals(conn, Context(seed.county_id, NOV, scope))
        listed = list(
            lists.rows(conn, Context(seed.county_id, NOV, scope), lists.Selection("closed"))
        )
    assert got["closed"].value == 1  # C only
    assert got["received"].value == 0
    assert [row["id"] for row in listed] == [case["C"]]


def test_other_county_sees_nothing(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    scope = scope_for(county, Viewer("x", "elsewhere", (Member(TOP),), is_admin=True))
    assert scope.empty
    with db.connect() as conn:
        got = figures.totals(conn, Context(seed.county_id, NOV, scope))
        count = lists.count(conn, Context(seed.county_id, NOV, scope), lists.Selection("received"))
    assert got["received"].value == 0
    assert count == 0


def test_admin_sees_whole_county(county: County) -> None:
    scope = scope_for(county, Viewer("admin", county.key, (), is_admin=True))
    assert scope.whole_county
    assert scope.roots == [TOP]


def test_two_memberships_union(county: County) -> None:
    viewer = Viewer("two", county.key, (Member(VILLAGE_A), Member(TOWN_B, office="司法所")))
    scope = scope_for(county, viewer)
    assert scope.centers == {VILLAGE_A}
    assert scope.office_pairs == {(TOWN_B, "司法所")}
    assert sorted(scope.roots) == [VILLAGE_A]
