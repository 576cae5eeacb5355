"""Every figure of docs/dashboards.md on the hand-built set in dataset.py, worked out by hand.

November 2026 (CST), cases A..J:
  received in Nov: A B D E G H J (H exactly at 11-01 00:00; I at 12-01 00:00 is out) = 7
  closed in Nov:   A B C J (F closes 12-02)                                          = 4
  open overdue at the end of Nov: D (due 11-15), F (due 10-20, still open on 12-01);
      not E (due 12-05), not G (suspended), not H (no due time)                       = 2
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from dsl.model import County
from engine.reports import figures
from engine.reports.cohorts import Context
from engine.reports.figures import Figure
from engine.reports.periods import day_of, month_of
from engine.reports.scope import Scope
from tests.reports.builders import TOP, TOWN_A, TOWN_B, Seeder
from tests.reports.dataset import november

NOV = month_of(date(2026, 11, 1))


def whole(county: County) -> Scope:
    return Scope(county, frozenset(county.centers))


@pytest.fixture
def nov(db: Engine, seed: Seeder, county: County) -> dict[str, Figure]:
    november(seed)
    with db.connect() as conn:
        return figures.totals(conn, Context(seed.county_id, NOV, whole(county)))


def test_counts(nov: dict[str, Figure]) -> None:
    assert nov["received"].value == 7
    assert nov["closed"].value == 4
    assert nov["overdue_open"].value == 2


def test_the_running_month_counts_as_overdue_only_what_is_due_by_now(
    db: Engine, seed: Seeder, county: County
) -> None:
    """Seen at 00:05 on 11-01, as the month starts: only F (due 10-20, still open) is overdue.
    Seen on 11-12 while November runs: D (received 11-10, due 11-15)
    is not yet due; F is overdue. Seen after the month: both, as test_counts says."""
    from datetime import UTC, datetime, timedelta, timezone

    november(seed)
    cst = timezone(timedelta(hours=8))
    start = datetime(2026, 11, 1, 0, 5, tzinfo=cst).astimezone(UTC)
    seen = datetime(2026, 11, 12, 12, 0, tzinfo=cst).astimezone(UTC)
    after = datetime(2026, 12, 3, tzinfo=UTC)
    with db.connect() as conn:
        starting = figures.totals(conn, Context(seed.county_id, NOV, whole(county), start))
        running = figures.totals(conn, Context(seed.county_id, NOV, whole(county), seen))
        ended = figures.totals(conn, Context(seed.county_id, NOV, whole(county), after))
    assert starting["overdue_open"].value == 1
    assert running["overdue_open"].value == 1
    assert ended["overdue_open"].value == 2


def test_resolution_rate(nov: dict[str, Figure]) -> None:
    # resolved among closed A B C J: A C J
    assert nov["resolution"] == Figure(3, 4)
    assert nov["resolution"].display == "75.0%"


def test_mediation_success_rate(nov: dict[str, Figure]) -> None:
    # mediated and closed: A (success), B (failed)
    assert nov["mediation"] == Figure(1, 2)


def test_on_time_rate_keeps_overdue_open_cases(nov: dict[str, Figure]) -> None:
    # on time: A C J; denominator: 4 closed + D, F open and overdue at the end of November
    assert nov["on_time"] == Figure(3, 6)
    assert nov["on_time"].display == "50.0%"


def test_satisfaction_rate(nov: dict[str, Figure]) -> None:
    # evaluated: A 满意, B 不满意, C 基本满意 (J not evaluated)
    assert nov["satisfaction"] == Figure(2, 3)
    assert nov["satisfaction"].display == "66.7%"


def test_acceptance_rate(nov: dict[str, Figure]) -> None:
    # 接单 tickets finished in Nov: A taken, B returned, B taken (D's in Oct; 办理 is no 接单)
    assert nov["acceptance"] == Figure(2, 3)


def test_completion_rate(nov: dict[str, Figure]) -> None:
    # received in Nov and closed by its end: A B J of 7
    assert nov["completion"] == Figure(3, 7)
    assert nov["completion"].display == "42.9%"


def test_visit_and_place_shares(nov: dict[str, Figure]) -> None:
    # resolved and closed: A (1 visit), C (0 visits), J (1 visit, diverted to arbitration)
    assert nov["one_place"] == Figure(2, 3)
    assert nov["one_visit"] == Figure(3, 3)
    assert nov["zero_visit"] == Figure(1, 3)


def test_grassroots_share(nov: dict[str, Figure]) -> None:
    # resolved at: A 村, C 县, J 镇
    assert nov["grassroots"] == Figure(2, 3)


def test_repeat_cases(nov: dict[str, Figure]) -> None:
    # party 张三/13800000001: A B (I is December); 李四/13900000002: E H;
    # 张三 without phone only on D; 周八 twice on G alone is no repeat
    assert nov["repeat_party"] == Figure(4, 7)
    # (place, category): A B 东门村 邻里; D E 西村 邻里; G J 西村 劳动; H alone
    assert nov["repeat_place"] == Figure(6, 7)


def test_empty_rate_shows_a_dash(db: Engine, seed: Seeder, county: County) -> None:
    with db.connect() as conn:
        result = figures.totals(conn, Context(seed.county_id, NOV, whole(county)))
    assert result["received"].value == 0
    assert result["resolution"].value is None
    assert result["resolution"].display == "—"


def test_day_period(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    with db.connect() as conn:
        day = figures.totals(
            conn, Context(seed.county_id, day_of(date(2026, 11, 3)), whole(county))
        )
    assert day["received"].value == 1  # A
    assert day["closed"].value == 0


def test_by_channel(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    with db.connect() as conn:
        by = figures.compute(conn, Context(seed.county_id, NOV, whole(county)), "channel")
    assert set(by) == {"来访", "12345"}
    assert by["来访"]["received"].value == 6  # all but J
    assert by["12345"]["received"].value == 1
    assert by["12345"]["resolution"] == Figure(2, 2)  # C, J
    assert by["来访"]["resolution"] == Figure(1, 2)  # A, B


def test_per_mediator_and_studio(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    ctx = Context(seed.county_id, NOV, whole(county))
    with db.connect() as conn:
        mediators = figures.compute(conn, ctx, "mediator")
        studios = figures.compute(conn, ctx, "studio")
    assert mediators["王五"]["received"].value == 2  # A B
    assert mediators["王五"]["mediation"] == Figure(1, 2)
    assert mediators["（未填）"]["received"].value == 5
    assert studios["老李"]["mediation"] == Figure(0, 1)  # B only, failed


def test_by_center_rolls_up_to_child_centers(db: Engine, seed: Seeder, county: County) -> None:
    november(seed)
    ctx = Context(seed.county_id, NOV, whole(county))
    with db.connect() as conn:
        by_center = figures.compute(conn, ctx, "center")
    rolled = figures.rollup(by_center, ctx, TOP)
    # 城关镇 and its village: A (东门村), B, H; 河口镇: D E G J; the county center: C
    assert rolled[TOWN_A]["received"].value == 3
    assert rolled[TOWN_B]["received"].value == 4
    assert rolled[TOP]["closed"].value == 1
    assert rolled[TOWN_A]["on_time"] == Figure(1, 3)  # A on time; B late; F overdue
    assert next(iter(rolled)) == TOWN_B  # biggest first


def test_unknown_dimension_is_refused(db: Engine, seed: Seeder, county: County) -> None:
    with db.connect() as conn, pytest.raises(ValueError, match="未知的统计维度"):
        figures.compute(conn, Context(seed.county_id, NOV, whole(county)), "colour")


def test_several_breakdowns_in_one_pass(db: Engine, seed: Seeder, county: County) -> None:
    """One call (GROUPING SETS on PostgreSQL, UNION ALL on SQLite) gives each breakdown the
    figures worked out above, the whole scope under None."""
    november(seed)
    ctx = Context(seed.county_id, NOV, whole(county))
    with db.connect() as conn:
        found = figures.breakdowns(conn, ctx, [None, "channel", "mediator", "center", None])
    assert list(found) == [None, "channel", "mediator", "center"]
    total = found[None][""]
    assert total["received"].value == 7
    assert total["on_time"] == Figure(3, 6)
    assert total["acceptance"] == Figure(2, 3)
    assert total["repeat_party"] == Figure(4, 7)
    assert total["repeat_place"] == Figure(6, 7)
    assert found["channel"]["来访"]["received"].value == 6
    assert found["channel"]["12345"]["resolution"] == Figure(2, 2)  # C, J
    assert found["mediator"]["王五"]["mediation"] == Figure(1, 2)  # A success, B failed
    assert found["mediator"]["（未填）"]["received"].value == 5
    # repeats per center: A (东门村) and B (城关镇) share 张三; E H share 李四 (河口镇, 城关镇)
    assert found["center"][TOWN_A]["repeat_party"] == Figure(2, 2)  # B, H of B H
    assert found["center"][TOWN_B]["repeat_party"] == Figure(1, 4)  # E of D E G J
    rolled = figures.rollup(found["center"], ctx, TOP)
    assert rolled[TOWN_A]["on_time"] == Figure(1, 3)
    assert rolled[TOWN_B]["received"].value == 4
