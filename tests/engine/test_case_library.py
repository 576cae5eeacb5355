"""The case library's engine (engine/case_library.py, issue 22.4): a closed 鹿城 case put
forward, refused on approval while its summary still names a party or holds an ID or mobile
number (nothing written), approved once clean, then found by words, tags and category in its
own county only and counted per category and office. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from engine import case_library
from engine.case_library import LIBRARY, draft
from engine.cases import Engine as Workflow
from engine.clock import ManualClock
from engine.errors import EngineError
from engine.registry import County
from engine.scope import Membership, Principal
from tests.engine.test_mediators import (
    LUCHENG,
    MONDAY,
    mediated_and_confirmed,
    publish,
    receive,
)

XIAOGAN = Path(LUCHENG).parent / "xiaogan"
CLERK = Principal("lc_clerk", "鹿城窗口", "lucheng", (Membership("鹿城区中心", "窗口人员"),))
LEADER = Principal("lc_leader", "鹿城负责人", "lucheng", (Membership("鹿城区中心", "负责人"),))
CLEAN = "行政机关拆除临时搭建，当事人不服。经案前调解，双方同意延期拆除并给予合理补偿。"


def closed_code(db: Engine) -> str:
    publish(db, LUCHENG)
    view = mediated_and_confirmed(Workflow(db, ManualClock(MONDAY)))
    assert view.status == "closed"
    return view.code


def rows(db: Engine) -> list[dict[str, object]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(select(LIBRARY)).mappings()]


def county(db: Engine, code: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(County.id).where(County.code == code)).scalar_one())


def test_propose_approve_search_and_count(db: Engine) -> None:
    code = closed_code(db)
    named = draft("行政争议案前调解", "林一对拆除决定不服，" + CLEAN, "行政争议，案前调解、补偿")
    entry = case_library.propose(db, CLERK, code, named, MONDAY)
    [row] = rows(db)
    assert (row["state"], row["category"], row["tags"]) == (
        "pending",
        "行政争议",
        "行政争议、案前调解、补偿",
    )
    lucheng = county(db, "lucheng")
    with db.connect() as conn:  # pending: not searchable, not counted
        assert case_library.search(conn, lucheng) == []
        assert [p["id"] for p in case_library.pending(conn, lucheng)] == [entry]

    with pytest.raises(EngineError, match="含有当事人姓名「林一」"):
        case_library.approve(db, LEADER, entry, named, MONDAY)
    for summary, problem in (
        ("联系电话 13800001111。" + CLEAN, "含有当事人的电话号码"),
        ("电话 13912345678。" + CLEAN, "含有疑似手机号码"),
        ("身份证 11010119900307451X。" + CLEAN, "含有疑似身份证号"),
    ):
        with pytest.raises(EngineError, match=problem):
            case_library.approve(db, LEADER, entry, draft("行政争议", summary, ""), MONDAY)
    with pytest.raises(EngineError, match="含有当事人姓名"):  # the title is checked too
        case_library.approve(db, LEADER, entry, draft("林一诉行政机关", CLEAN, ""), MONDAY)
    with pytest.raises(EngineError, match="只有「负责人」可以审核"):
        case_library.approve(db, CLERK, entry, draft("行政争议", CLEAN, ""), MONDAY)
    assert rows(db) == [row]  # every refusal wrote nothing

    clean = draft("行政争议案前调解", CLEAN, "案前调解、补偿")
    case_library.approve(db, LEADER, entry, clean, MONDAY)
    [done] = rows(db)
    assert (done["state"], done["summary"], done["reviewed_by"]) == (
        "approved",
        CLEAN,
        "鹿城负责人",
    )
    with pytest.raises(EngineError, match="已审核入库"):
        case_library.approve(db, LEADER, entry, clean, MONDAY)

    with db.connect() as conn:
        for words in ("延期拆除", "补偿", "行政争议", "案前 补偿", "案前调解"):
            assert [e["id"] for e in case_library.search(conn, lucheng, words)] == [entry], words
        assert case_library.search(conn, lucheng, "婚姻") == []
        assert case_library.search(conn, lucheng, "", "邻里纠纷") == []
        assert case_library.search(conn, lucheng, "100%") == []  # % is a letter, not a wildcard
        assert case_library.count_matching(conn, lucheng, "补偿") == 1
        figures = case_library.figures(conn, lucheng)
        assert figures["category"] == [("行政争议", 1)]
        assert sum(n for _, n in figures["office"]) == 1

    publish(db, XIAOGAN)  # another county sees none of it
    with db.connect() as conn:
        xiaogan = county(db, "xiaogan")
        assert case_library.search(conn, xiaogan, "补偿") == []
        assert case_library.entry(conn, xiaogan, entry) is None
        assert case_library.figures(conn, xiaogan) == {"category": [], "office": []}
    outsider = Principal("xg", "孝感负责人", "xiaogan", (Membership("孝南区中心", "负责人"),))
    with pytest.raises(EngineError):
        case_library.propose(db, outsider, code, clean, MONDAY)


def test_only_closed_cases_once_each_and_typed_fields_are_checked(db: Engine) -> None:
    code = closed_code(db)
    open_view = receive(Workflow(db, ManualClock(MONDAY)))  # at its first step
    clean = draft("标题", CLEAN, "")
    with pytest.raises(EngineError, match="只有已办结的案件才能推荐入库"):
        case_library.propose(db, CLERK, open_view.code, clean, MONDAY)
    case_library.propose(db, CLERK, code, clean, MONDAY)
    with pytest.raises(EngineError, match="已推荐过"):
        case_library.propose(db, CLERK, code, clean, MONDAY)
    assert len(rows(db)) == 1
    for args, problem in (
        (("", CLEAN, ""), "请填写案例标题"),
        (("标题", "  ", ""), "请填写案例摘要"),
        (("标" * 101, CLEAN, ""), "案例标题不能超过 100 字"),
        (("标题", CLEAN, "、".join(str(i) for i in range(11))), "标签最多 10 个"),
    ):
        with pytest.raises(EngineError, match=problem):
            draft(*args)
