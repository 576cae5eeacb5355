"""Receiving cases: codes (一案一码), routing, first ticket, validation, counties side by side."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select

from engine import versions
from engine.cases import Engine
from engine.errors import ActionRefused, ValidationFailed
from engine.tables import CASE, EVENT, TICKET
from tests.engine.conftest import receive
from tests.engine.counties import INTAKE, make_county


def test_a_case_gets_a_code_a_route_and_its_first_ticket(wf: Engine) -> None:
    view = receive(wf)
    assert re.fullmatch(r"TA-2026-\d{6}", view.code)
    assert (view.level, view.center, view.office) == ("村", "城关镇/东门村", "人民调解委员会")
    assert view.step == "派单" and view.status == "open" and view.visits == 1
    [ticket] = view.open_tickets()
    assert (ticket.step, ticket.role, ticket.center, ticket.office) == (
        "派单",
        "调度员",
        "城关镇/东门村",
        None,
    )
    # 一般 cases: 10 calendar days for the whole case
    assert view.due_at is not None and (view.due_at - view.received_at).days == 10
    assert view.parties[0].phone == "138****1234" and "199001" not in view.parties[0].id_number


def test_codes_count_up_per_county_and_year(wf: Engine) -> None:
    codes = [receive(wf).code for _ in range(3)]
    assert codes == ["TA-2026-000001", "TA-2026-000002", "TA-2026-000003"]


def test_routing_by_category_parent_and_severity(wf: Engine) -> None:
    assert receive(wf, category="离婚纠纷").center == "城关镇"  # 婚姻家庭 route, town level
    major = receive(wf, category="其他", severity="重大")
    assert (major.level, major.center, major.office) == ("县", "县中心", "法院")


def test_the_universal_window_keeps_what_nobody_owns(wf: Engine) -> None:
    kept = receive(wf, category="其他", location="河口镇", center="河口镇")
    assert kept.office == "综合窗口组" and kept.center == "河口镇"
    events = wf.timeline(_admin(), kept.code)
    assert "兜底" in events[0].note


def test_invalid_intake_form_names_the_field_and_writes_nothing(wf: Engine, db: DbEngine) -> None:
    with pytest.raises(ValidationFailed) as caught:
        receive(wf, data={"事由": ""})
    assert [e.path for e in caught.value.field_errors] == ["事由"]
    assert "受理登记" in caught.value.message
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CASE)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(EVENT)).scalar_one() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "无此类"}, "没有事项类型「无此类」"),
        ({"severity": "极大"}, "没有严重程度「极大」"),
        ({"channel": "传真"}, "没有受理渠道「传真」"),
        ({"location": "火星"}, "没有地点"),
        ({"parties": [{"phone": "1"}]}, "缺少姓名"),
        ({"visits": -1}, "不能为负数"),
    ],
)
def test_bad_intake_is_refused_in_chinese(
    wf: Engine, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        receive(wf, **change)


def test_an_unpublished_county_is_refused(wf: Engine) -> None:
    with pytest.raises(ActionRefused, match="没有发布"):
        wf.receive("api", "nowhere", **INTAKE)


def test_counties_side_by_side_keep_their_own_codes_and_tickets(wf: Engine, db: DbEngine) -> None:
    versions.publish(db, make_county("testb", prefix="TB"), by="测试")
    a = receive(wf)
    b = wf.receive("api", "testb", **INTAKE)
    assert a.code == "TA-2026-000001" and b.code == "TB-2026-000001"
    assert (a.county, b.county) == ("testa", "testb")
    with db.connect() as conn:
        counties = conn.execute(select(TICKET.c.county_id).order_by(TICKET.c.id)).scalars().all()
        versions_used = conn.execute(select(CASE.c.version_id).order_by(CASE.c.id)).scalars().all()
    assert counties[0] != counties[1] and versions_used[0] != versions_used[1]


def test_concurrent_intake_never_shares_a_code(wf: Engine) -> None:
    codes: list[str] = []
    errors: list[BaseException] = []

    def intake() -> None:
        try:
            for _ in range(5):
                codes.append(receive(wf).code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=intake) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(codes) == [f"TA-2026-{n:06d}" for n in range(1, 21)]


def _admin():  # type: ignore[no-untyped-def]
    from engine.scope import system

    return system("管理员", "testa")
