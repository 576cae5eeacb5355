# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""函件 in acceptance scenarios: a role issues a letter about the current case to an office,
the office signs for it and answers it, the issuer closes it; checks of its number, deadline
and state. The steps talk about the current case's latest letter (no letter alias needed).
A refusal waits for 「操作被拒绝」 like the other actions'."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from engine import letters
from engine.letter_tables import LETTER
from engine.prevention_tables import WARNING_HIT
from features.steps.acting import attempt
from features.steps.phrases import phrase
from features.steps.world import World, split_where


def _latest(world: World) -> dict[str, Any]:
    case = world.case()
    # the case's own letters, or the 预警函 of a warning the case hit (issue 21.5)
    warned = select(WARNING_HIT.c.warning_id).where(WARNING_HIT.c.case_id == case.id)
    mine = or_(LETTER.c.case_id == case.id, LETTER.c.warning_id.in_(warned))
    with world.db.connect() as conn:
        row = (
            conn.execute(select(LETTER).where(mine).order_by(LETTER.c.id.desc())).mappings().first()
        )
    if row is None:
        raise world.fail(f"案件 {case.code} 还没有函件", f"case {case.code} has no letter yet")
    return dict(row)


@phrase(
    "函件",
    '"{角色}" 在 "{地点}" 就当前案件签发 "{函件}" 至 "{收件}"，事由 "{事由}"',
    'the "{role}" at "{place}" issues a "{kind}" about the case to "{addressee}" because "{reason}"',
    doc="签发函件：收件写作 单位（中心），如 司法所（书院街道）；文号按年连续编号，回复期限按函件声明的回复时限计算。",
    example_zh='当 "督办员" 在 "孝南区中心" 就当前案件签发 "督办函" 至 "司法所（书院街道）"，事由 "请加快办理"',
    example_en='When the "督办员" at "孝南区中心" issues a "督办函" about the case to "司法所（书院街道）" because "please hurry"',
)
def issue_letter(
    world: World, role: str, place: str, kind: str, addressee: str, reason: str
) -> None:
    who = world.person(role, place)
    office, center = split_where(addressee)
    case = world.case()
    request = letters.Issue(kind, center, office or "", reason, case_id=case.id)
    clock = world.need_clock()
    attempt(world, "签发函件", lambda: letters.issue(world.db, who, request, clock.now()))


@phrase(
    "函件",
    '"{角色}" 在 "{地点}" 签收函件',
    'the "{role}" at "{place}" signs for the letter',
    doc="收件单位签收当前案件最新的函件。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 签收函件',
    example_en='When the "承办人" at "司法所（书院街道）" signs for the letter',
)
def sign_letter(world: World, role: str, place: str) -> None:
    who, letter_id = world.person(role, place), _latest(world)["id"]
    now = world.need_clock().now()
    attempt(world, "签收函件", lambda: letters.sign(world.db, who, letter_id, now))


@phrase(
    "函件",
    '"{角色}" 在 "{地点}" 回复函件 "{回复}"',
    'the "{role}" at "{place}" answers the letter "{answer}"',
    doc="收件单位回复当前案件最新的函件（未签收的同时签收）。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 回复函件 "已组织调解"',
    example_en='When the "承办人" at "司法所（书院街道）" answers the letter "mediated"',
)
def answer_letter(world: World, role: str, place: str, answer: str) -> None:
    who, letter_id = world.person(role, place), _latest(world)["id"]
    now = world.need_clock().now()
    attempt(world, "回复函件", lambda: letters.answer(world.db, who, letter_id, answer, now))


@phrase(
    "函件",
    '"{角色}" 在 "{地点}" 销号函件',
    'the "{role}" at "{place}" closes the letter',
    doc="发文中心的签发角色闭环销号（收件单位回复后）。",
    example_zh='当 "督办员" 在 "孝南区中心" 销号函件',
    example_en='When the "督办员" at "孝南区中心" closes the letter',
)
def close_letter(world: World, role: str, place: str) -> None:
    who, letter_id = world.person(role, place), _latest(world)["id"]
    now = world.need_clock().now()
    attempt(world, "销号函件", lambda: letters.close(world.db, who, letter_id, now))


@phrase(
    "函件",
    '函件文号为 "{文号}"，回复期限为 "{期限}"',
    'the letter is numbered "{number}" and due "{due}"',
    doc="当前案件最新函件的文号和回复期限（当地时间）。",
    example_zh='那么 函件文号为 "孝综督函〔2026〕1号"，回复期限为 "2026-11-09 09:00"',
    example_en='Then the letter is numbered "孝综督函〔2026〕1号" and due "2026-11-09 09:00"',
)
def letter_number(world: World, number: str, due: str) -> None:
    letter = _latest(world)
    found = (letter["number"], world.local(letter["due_at"]))
    if found != (number, due):
        raise world.fail(
            f"函件文号、回复期限为 {found[0]}、{found[1]}，不是 {number}、{due}",
            f"the letter is {found[0]} due {found[1]}, not {number} due {due}",
        )


@phrase(
    "函件",
    '函件状态为 "{状态}"',
    'the letter is "{state}"',
    doc="当前案件最新函件的状态：待签收、待回复、已回复待销号、已销号；逾期的写「逾期」。",
    example_zh='那么 函件状态为 "已销号"',
    example_en='Then the letter is "已销号"',
)
def letter_state(world: World, state: str) -> None:
    letter = _latest(world)
    found = "逾期" if state == "逾期" and letter["overdue"] else letters.STATES[letter["state"]]
    if found != state:
        raise world.fail(
            f"函件状态为「{found}」，不是「{state}」", f"the letter is {found!r}, not {state!r}"
        )
