# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""督办 as a duty: a supervisor issues a 督办单 by hand to an office, the office replies, the
chain's supervision link (孝感's 督办单, 云梦's 归口督单) follows handling, and the 督办单 are
counted per office (engine/supervision.py, engine/supervision_link.py,
engine/reports/supervision.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import supervision, versions
from engine.reports import supervision as counts
from engine.reports.cohorts import Context
from engine.reports.scope import Scope
from engine.views import TicketView
from features.steps.acting import attempt, pick_ticket
from features.steps.figures import parse_period
from features.steps.phrases import phrase
from features.steps.world import World, split_where

STATES = {"待回复": "open", "按期回复": "on_time", "逾期回复": "late"}
STATES.update({v: v for v in list(STATES.values())})
STATE_ZH = {"open": "待回复", "on_time": "按期回复", "late": "逾期回复"}


def _issue(world: World, role: str, where: str, office: str, reason: str, days: int | None) -> None:
    who = world.person(role, where)
    engine = world.need_engine()
    code = world.case().code
    attempt(
        world,
        "开具督办单",
        lambda: engine.supervise(who, code, office=office, reason=reason, days=days),
    )


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 向 "{单位}" 开具督办单，事由 "{事由}"',
    'the "{role}" at "{place}" issues a supervision notice to "{office}" because "{reason}"',
    doc="督办人（定义里 督办 { 督办人 … } 声明的角色与层级）对当前案件开具督办单，发给案件所在中心的某单位；回复期限用定义的默认值。被拒绝时（不是本案督办人、单位不在、事由为空……）由下一步「操作被拒绝」检查。",
    example_zh='当 "督办员" 在 "孝南区中心" 向 "人民调解委员会" 开具督办单，事由 "群众多次来电催问"',
    example_en='When the "督办员" at "孝南区中心" issues a supervision notice to "人民调解委员会" because "the party keeps calling"',
)
def issue_notice(world: World, role: str, place: str, office: str, reason: str) -> None:
    _issue(world, role, place, office, reason, None)


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 向 "{单位}" 开具督办单，事由 "{事由}"，{天数} 个工作日内回复',
    'the "{role}" at "{place}" issues a supervision notice to "{office}" because "{reason}" to be answered within {days} working days',
    doc="同上，回复期限为若干个工作日（1 到 60）。",
    example_zh='当 "督办员" 在 "孝南区中心" 向 "人民调解委员会" 开具督办单，事由 "请说明进展"，1 个工作日内回复',
    example_en='When the "督办员" at "孝南区中心" issues a supervision notice to "人民调解委员会" because "report progress" to be answered within 1 working days',
)
def issue_notice_within(
    world: World, role: str, place: str, office: str, reason: str, days: str
) -> None:
    _issue(world, role, place, office, reason, int(float(days)))


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 回复督办单 "{回复}"',
    'the "{role}" at "{place}" replies to the supervision notice "{reply}"',
    doc="被督办单位（写作 单位（中心））的回复人在其待办的督办单上执行「回复督办」，回复内容必填。",
    example_zh='当 "承办人" 在 "人民调解委员会（书院街道）" 回复督办单 "已约双方周四调解"',
    example_en='When the "承办人" at "人民调解委员会（书院街道）" replies to the supervision notice "mediation on Thursday"',
)
def reply_notice(world: World, role: str, place: str, reply: str) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, "回复督办")
    engine = world.need_engine()
    attempt(world, "回复督办", lambda: engine.act(who, ticket.id, "回复督办", {}, reason=reply))


def _links(world: World) -> list[TicketView]:
    county = world.need_county()
    view = world.case()
    steps = county.processes[view.process].steps
    return [
        t
        for t in view.tickets
        if t.kind == "supervision" and t.office is None and t.step in steps
        and steps[t.step].kind == "supervision"
    ]  # fmt: skip


@phrase(
    "检查",
    '督办单由 "{地点=place}" 的 "{角色=role}" 跟踪',
    'the supervision link is held by the "{role}" at "{place}"',
    doc="流程中伴随办理的督办步骤（类型 督办、伴随 …）开着，由该中心的该角色跟踪；案件照常往下走。",
    example_zh='那么 督办单由 "孝南区中心" 的 "督办员" 跟踪',
    example_en='Then the supervision link is held by the "督办员" at "孝南区中心"',
)
def link_held(world: World, role: str, place: str) -> None:
    _office, center = split_where(place)
    open_links = [t for t in _links(world) if t.state in ("open", "claimed")]
    if not any(t.center == center and t.role == role for t in open_links):
        shown = "、".join(f"{t.center} 的 {t.role}" for t in open_links) or world.say("无", "none")
        raise world.fail(
            f"期望督办单由 {place} 的「{role}」跟踪，实际：{shown}",
            f"expected the supervision link held by the {role} at {place}, it is: {shown}",
        )


@phrase(
    "检查",
    "督办单跟踪已结束",
    "the supervision link is closed",
    doc="伴随的步骤都已办完（案件进入了别的步骤），督办步骤的单自动结束。",
    example_zh="那么 督办单跟踪已结束",
    example_en="Then the supervision link is closed",
)
def link_closed(world: World) -> None:
    links = _links(world)
    still = [t for t in links if t.state in ("open", "claimed")]
    if not links or still:
        raise world.fail(
            f"期望督办跟踪已结束，实际{'仍在跟踪' if still else '从未开始'}",
            f"expected the supervision link closed, it is {'still open' if still else 'never opened'}",
        )


def _notice(world: World, office: str) -> dict[str, Any]:
    view = world.case()
    with world.db.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(supervision.NOTICE)
                .where(supervision.NOTICE.c.case_id == view.id)
                .order_by(supervision.NOTICE.c.id)
            ).mappings()
        ]
    found = [r for r in rows if r["office"] == office]
    if not found:
        shown = "、".join(r["office"] for r in rows) or world.say("无", "none")
        raise world.fail(
            f"案件没有发给「{office}」的督办单（督办单：{shown}）",
            f"the case has no supervision notice to {office!r} (notices: {shown})",
        )
    return found[-1]


@phrase(
    "检查",
    '"{单位}" 的督办单为 "{状态}"',
    'the supervision notice to "{office}" is "{state}"',
    doc="当前案件最近一张发给该单位的督办单：待回复、按期回复 或 逾期回复（英文 open、on_time、late）。",
    example_zh='那么 "人民调解委员会" 的督办单为 "按期回复"',
    example_en='Then the supervision notice to "人民调解委员会" is "on_time"',
)
def notice_state(world: World, office: str, state: str) -> None:
    if state not in STATES:
        raise world.fail(
            f"督办单状态「{state}」看不懂（可选：待回复、按期回复、逾期回复）",
            f"unknown state {state!r} (open, on_time, late)",
        )
    row = _notice(world, office)
    actual = "open" if row["replied_at"] is None else ("late" if row["late"] else "on_time")
    if actual != STATES[state]:
        raise world.fail(
            f"期望「{office}」的督办单为「{state}」，实际为「{STATE_ZH[actual]}」",
            f"expected the notice to {office} {state}, it is {actual}",
        )


@phrase(
    "统计",
    '"{期间=period}" "{单位=office}" 的督办统计为：开具 {开具=issued}，按期回复 {按期=on_time}，逾期回复 {逾期=late}，未回复 {未回复=open}',
    'the supervision figures of "{office}" for "{period}" are: issued {issued}, on time {on_time}, late {late}, open {open}',
    doc="该期间发给该单位的督办单数，其中按期回复、逾期回复、（到期末或现在）仍未回复的数（超期督办看板的「督办单统计」）。",
    example_zh='那么 "2026-11" "人民调解委员会" 的督办统计为：开具 2，按期回复 1，逾期回复 1，未回复 0',
    example_en='Then the supervision figures of "人民调解委员会" for "2026-11" are: issued 2, on time 1, late 1, open 0',
)
def office_counts(
    world: World, period: str, office: str, issued: str, on_time: str, late: str, open: str
) -> None:
    county = world.need_county()
    scope = Scope(county, frozenset(county.centers))
    context = Context(
        versions.county_id(world.db, county.key),
        parse_period(world, period),
        scope,
        world.need_clock().now(),
    )
    with world.db.connect() as conn:
        rows = {r.office: r for r in counts.by_office(conn, context)}
    row = rows.get(office)
    actual = (row.issued, row.on_time, row.late, row.open) if row else (0, 0, 0, 0)
    expected = tuple(int(float(n)) for n in (issued, on_time, late, open))
    if actual != expected:
        said = "开具 {}，按期回复 {}，逾期回复 {}，未回复 {}"
        raise world.fail(
            f"期望「{office}」{said.format(*expected)}，实际{said.format(*actual)}",
            f"expected {office}: {expected}, got {actual}",
        )
