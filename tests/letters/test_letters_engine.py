"""Letters in the engine: numbered, addressed, answered, closed, overdue by the worker's timer,
and each step recorded; on SQLite and PostgreSQL (the `db` fixture's backend)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from dsl.model import Duration, LetterKind
from engine import letter_text, letters, timers, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.errors import ActionRefused, NotFound
from engine.letter_tables import LETTER, LETTER_EVENT
from engine.tables import EVENT
from tests.letters.xiaogan_letters import (
    JUSTICE,
    MEDIATOR,
    OTHER_TOWN,
    SUPERVISOR,
    TOWN,
    intake,
    person,
    xiaogan,
)

MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # 09:00 in 孝感


@pytest.fixture
def xg(db: DbEngine) -> Engine:
    versions.publish(db, xiaogan(), by="测试")
    return Engine(db, ManualClock(MONDAY))


def letter(db: DbEngine, letter_id: int) -> dict:
    with db.connect() as conn:
        return dict(conn.execute(select(LETTER).where(LETTER.c.id == letter_id)).mappings().one())


def history(db: DbEngine, letter_id: int) -> list[tuple[str, str]]:
    query = select(LETTER_EVENT.c.kind, LETTER_EVENT.c.actor).where(
        LETTER_EVENT.c.letter_id == letter_id
    )
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(LETTER_EVENT.c.id))]


def duban(case_id: int | None, **changes: object) -> letters.Issue:
    values: dict = {"kind": "督办函", "to_center": TOWN, "to_office": "司法所", "case_id": case_id}
    values["reason"] = "请加快办理。"
    values.update(changes)
    return letters.Issue(**values)


def test_a_letter_from_a_case_is_numbered_filled_in_and_due_in_working_days(
    db: DbEngine, xg: Engine
) -> None:
    case = xg.receive("窗口", "xiaogan", **intake())
    first = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    second = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    one, two = letter(db, first), letter(db, second)
    assert (one["number"], two["number"]) == ("孝综督函〔2026〕1号", "孝综督函〔2026〕2号")
    assert one["state"] == "issued" and one["title"] == "督办函"
    assert one["body"].splitlines()[0] == "司法所："
    assert f"张小明的邻里纠纷（案件编号 {case.code}，2026年11月16日受理" in one["body"]
    assert "请加快办理。" in one["body"] and "孝南区矛盾纠纷调处化解中心" in one["body"]
    # 5 working days from Monday 16 November: Monday 23 November, same time of day
    assert one["due_at"] == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert "请接函后即签收，于2026年11月23日前" in one["body"]
    assert history(db, first) == [("issued", "督办员老周")]
    with db.connect() as conn:
        kinds = conn.execute(
            select(EVENT.c.kind, EVENT.c.note).where(EVENT.c.case_id == case.id)
        ).all()
    assert (
        "letter_issued",
        "督办函 孝综督函〔2026〕1号：发往司法所，2026年11月23日前回复",
    ) in kinds


def test_each_kind_and_year_counts_from_one(db: DbEngine, xg: Engine) -> None:
    warning = letters.Issue("风险预警函", TOWN, "人民调解委员会", "书院社区两户宅基地纠纷")
    a = letters.issue(db, SUPERVISOR, warning, MONDAY)
    case = xg.receive("窗口", "xiaogan", **intake())
    b = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    next_year = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    c = letters.issue(db, SUPERVISOR, warning, next_year)
    assert [letter(db, i)["number"] for i in (a, b, c)] == [
        "孝综预警函〔2026〕1号",
        "孝综督函〔2026〕1号",
        "孝综预警函〔2027〕1号",
    ]
    assert letter(db, a)["case_id"] is None
    assert "经排查，书院社区两户宅基地纠纷。" in letter(db, a)["body"]


def test_issuing_is_refused_in_chinese_and_writes_nothing(db: DbEngine, xg: Engine) -> None:
    case = xg.receive("窗口", "xiaogan", **intake())
    refusals = [
        (JUSTICE, duban(case.id), "您的角色不能签发督办函（可签发的角色：督办员）"),
        (SUPERVISOR, duban(case.id, to_office="信访局"), "督办函不能发往「书院街道 信访局」"),
        (SUPERVISOR, duban(None), "督办函的正文引用案件信息，须从案件页签发"),
        (SUPERVISOR, duban(case.id, kind="催办函"), "本县区没有声明函件类型「催办函」"),
        (SUPERVISOR, duban(case.id, reason="长" * 1001), "事由不能超过 1000 字（现有 1001 字）"),
    ]
    for who, request, message in refusals:
        with pytest.raises(ActionRefused) as refused:
            letters.issue(db, who, request, MONDAY)
        assert refused.value.message == message
    with pytest.raises(NotFound):  # a case out of the issuer's scope
        town_supervisor = person("xh", "新华督办", ("新华街道", "督办员", None))
        letters.issue(db, town_supervisor, duban(case.id), MONDAY)
    with db.connect() as conn:
        assert conn.execute(select(LETTER.c.id)).all() == []
    # the refused issues used no serial: the next letter is still number 1
    first = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    assert letter(db, first)["number"] == "孝综督函〔2026〕1号"


def test_signed_answered_closed_each_by_its_own_side(db: DbEngine, xg: Engine) -> None:
    case = xg.receive("窗口", "xiaogan", **intake())
    lid = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    later = MONDAY + timedelta(hours=2)
    with pytest.raises(ActionRefused, match="只有收件单位的工作人员才能签收"):
        letters.sign(db, SUPERVISOR, lid, later)  # the issuer sees it, but may not sign
    for who in (MEDIATOR, OTHER_TOWN):  # another office in the town, the office elsewhere
        with pytest.raises(NotFound):  # do not even see it
            letters.sign(db, who, lid, later)
    with pytest.raises(ActionRefused, match="收件单位尚未回复，不能销号"):
        letters.close(db, SUPERVISOR, lid, later)
    letters.sign(db, JUSTICE, lid, later)
    with pytest.raises(ActionRefused, match="该函件已签收"):
        letters.sign(db, JUSTICE, lid, later)
    with pytest.raises(ActionRefused, match="请填写回复内容"):
        letters.answer(db, JUSTICE, lid, "  ", later)
    letters.answer(db, JUSTICE, lid, "已约双方当事人周三调解。", later)
    with pytest.raises(ActionRefused, match="只有发文中心的签发人员才能销号"):
        letters.close(db, JUSTICE, lid, later)
    letters.close(db, SUPERVISOR, lid, later)
    done = letter(db, lid)
    assert done["state"] == "closed" and done["answered_on_time"] is True
    assert (done["signed_by"], done["answered_by"], done["closed_by"]) == (
        "司法所小李",
        "司法所小李",
        "督办员老周",
    )
    assert history(db, lid) == [
        ("issued", "督办员老周"),
        ("signed", "司法所小李"),
        ("answered", "司法所小李"),
        ("closed", "督办员老周"),
    ]


def test_the_worker_marks_an_unanswered_letter_overdue(db: DbEngine, xg: Engine) -> None:
    case = xg.receive("窗口", "xiaogan", **intake())
    late = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    answered = letters.issue(db, SUPERVISOR, duban(case.id), MONDAY)
    letters.answer(db, JUSTICE, answered, "已办结。", MONDAY + timedelta(days=1))
    clock = ManualClock(datetime(2026, 11, 23, 0, 59, tzinfo=UTC))
    timers.fire_due(db, clock, timers.DEFAULT_DISPATCHER)
    assert letter(db, late)["overdue"] is False  # a minute before the deadline
    clock.set(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    timers.fire_due(db, clock, timers.DEFAULT_DISPATCHER)
    assert letter(db, late)["overdue"] is True
    assert letter(db, answered)["overdue"] is False
    assert history(db, late)[-1] == ("overdue", "系统")
    # answering now is late, and says so
    letters.answer(db, JUSTICE, late, "已办结。", datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    assert letter(db, late)["answered_on_time"] is False


def test_a_reason_left_out_leaves_no_mark_and_a_missing_fact_shows_a_dash(
    db: DbEngine, xg: Engine
) -> None:
    case = xg.receive("窗口", "xiaogan", **intake())
    lid = letters.issue(db, SUPERVISOR, duban(case.id, reason=""), MONDAY)
    assert "至今未办结。\n" in letter(db, lid)["body"]  # {事由} left empty, not a dash
    kind = LetterKind(
        "k", "函", "{年}{号}", ("司法所",), Duration(1, "day"), ("督办员",),
        ("{当事人}：{数据.金额}元，{数据.人数}人，{数据.location}，<b>{事由}</b>",),
    )  # fmt: skip
    facts = {"parties": "", "reason": "<b>原样</b>"}
    data = {"金额": 1200, "人数": None, "location": {"town": "书院街道"}}
    assert letter_text.body(kind, facts, data) == "——：1200元，——人，——，<b><b>原样</b></b>"
