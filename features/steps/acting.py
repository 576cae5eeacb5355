# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Acting as a role at a center or office: the definition's actions (dispatch, accept, return,
resolve, escalate, push down, give a view, verify ...), suspension, extension, evaluation.

A refused action does not fail the step: the refusal waits for a check step ("操作被拒绝")
and fails the scenario if nobody checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.errors import EngineError
from engine.scope import Principal, may_work
from engine.views import TicketView
from features.steps.phrases import phrase
from features.steps.tables import TableError, form_data, rows_of
from features.steps.timeparse import parse_duration
from features.steps.world import World, place

FORM_DOC = "两列：字段 | 值，按该操作表单的字段标题（或键）填写。"


def pick_ticket(world: World, who: Principal, action: str | None) -> TicketView:
    """The open ticket of the current case this person works on (the one offering `action`)."""
    engine = world.need_engine()
    view = world.case()
    mine = [t for t in view.open_tickets() if _works(who, t)]
    offering = [
        t
        for t in mine
        if action is None or action in {o.key for o in engine.available_actions(who, t.id)}
    ]
    if offering or mine:
        return (offering or mine)[0]
    work = [t for t in view.open_tickets() if t.kind != "supervision"]
    if len(work) == 1:
        return work[0]  # not theirs: the engine refuses it with its own message
    where = "、".join(f"{t.step} @ {place(t, world.lang)}" for t in work) or world.say("无", "none")
    raise world.fail(
        f"{who.display_name} 在案件 {view.code} 上没有待办的单（待办：{where}）",
        f"{who.display_name} has no open ticket on case {view.code} (open: {where})",
    )


def _works(who: Principal, ticket: TicketView) -> bool:
    return may_work(who, ticket.center, ticket.office, ticket.role)


def attempt(world: World, what: str, work: Callable[[], Any]) -> None:
    """Run an engine call; a refusal is kept for the next check step."""
    try:
        work()
    except EngineError as error:
        world.refusal, world.refused_step = error, what


def _form(
    world: World, who: Principal, ticket: TicketView, action: str, table: list[list[str]]
) -> dict[str, Any]:
    county = world.need_county()
    form = _form_name(world, who, ticket, action)
    if form is None:
        raise world.fail(
            f"「{action}」没有表单，不能填写数据表",
            f"action {action!r} has no form to fill in",
        )
    from engine.diversion import BUILTIN_FORMS

    schema = (county.forms.get(form) or BUILTIN_FORMS[form]).schema
    try:
        data, unknown = form_data(rows_of(table), schema, form)
    except TableError as error:
        raise world.fail(str(error), str(error)) from None
    if unknown:
        names = "、".join(name for name, _ in unknown)
        raise world.fail(
            f"表单「{form}」没有字段「{names}」",
            f"form {form!r} has no field {names!r}",
        )
    return data


def _form_name(world: World, who: Principal, ticket: TicketView, action: str) -> str | None:
    """The form the action asks for: as offered to this person, else as the definition says
    (so that a person who may not act still reaches the engine, which says why not)."""
    options = {o.key: o for o in world.need_engine().available_actions(who, ticket.id)}
    if action in options:
        return options[action].form
    county = world.need_county()
    step = county.processes[world.case().process].steps.get(ticket.step)
    found = next((a for a in step.actions if a.key == action), None) if step else None
    if step is None or found is None:
        return None
    return found.form or (step.form if found.effect in ("complete", "close") else None)


def act(
    world: World, role: str, where: str, action: str, data: dict[str, Any], reason: str = ""
) -> None:
    who = world.person(role, where)
    ticket = pick_ticket(world, who, action)
    engine = world.need_engine()
    attempt(world, action, lambda: engine.act(who, ticket.id, action, data, reason=reason))


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 执行 "{动作}"',
    'the "{role}" at "{place}" takes action "{action}"',
    doc="某中心（或某中心的某单位，写作 单位（中心））的某角色对当前案件执行流程定义中的动作，如 派发、接收、化解、提级办理、核实办结。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 执行 "接收"',
    example_en='When the "承办人" at "司法所（书院街道）" takes action "接收"',
)
def take_action(world: World, role: str, place: str, action: str) -> None:
    act(world, role, place, action, {})


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 执行 "{动作}"，填写：',
    'the "{role}" at "{place}" takes action "{action}" with:',
    doc="同上，并按数据表填写该动作的表单（派单意见、办理情况、会商意见、回访记录……）。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 执行 "化解"，填写：',
    example_en='When the "承办人" at "司法所（书院街道）" takes action "化解" with:',
    table=FORM_DOC,
)
def take_action_with_form(
    world: World, role: str, place: str, action: str, datatable: list[list[str]]
) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, action)
    act(world, role, place, action, _form(world, who, ticket, action, datatable))


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 执行 "{动作}"，理由 "{理由}"',
    'the "{role}" at "{place}" takes action "{action}" with reason "{reason}"',
    doc="需要理由的动作：退单、提级等。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 执行 "退单"，理由 "不属于本所职责"',
    example_en='When the "承办人" at "司法所（书院街道）" takes action "退单" with reason "not ours"',
)
def take_action_with_reason(world: World, role: str, place: str, action: str, reason: str) -> None:
    act(world, role, place, action, {}, reason)


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 执行 "{动作}" 交给 "{去向}"',
    'the "{role}" at "{place}" takes action "{action}" to "{target}"',
    doc="下沉到下级中心、转办给另一单位、或引导到法定途径：去向是中心、单位或分流渠道的名称。",
    example_zh='当 "调度员" 在 "孝南区中心" 执行 "下沉" 交给 "书院街道"',
    example_en='When the "调度员" at "孝南区中心" takes action "下沉" to "书院街道"',
)
def take_action_to(world: World, role: str, place: str, action: str, target: str) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, action)
    options = {o.key: o for o in world.need_engine().available_actions(who, ticket.id)}
    effect = options[action].effect if action in options else ""
    key = {"push_down": "center", "transfer": "office", "divert": "diversion"}.get(effect, "center")
    act(world, role, place, action, {key: target})


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 中止办理，理由 "{理由}"[，审批人 "{审批人}"]',
    'the "{role}" at "{place}" suspends the case with reason "{reason}"[, approved by "{approver}"]',
    doc="中止（停止计时），写明理由；时限规则要求审批时写审批人。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 中止办理，理由 "当事人住院"，审批人 "王所长"',
    example_en='When the "承办人" at "司法所（书院街道）" suspends the case with reason "in hospital", approved by "王所长"',
)
def suspend(world: World, role: str, place: str, reason: str, approver: str | None) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, None)
    engine = world.need_engine()
    attempt(
        world,
        "中止",
        lambda: engine.suspend(who, ticket.id, reason=reason, approver=approver or ""),
    )


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 恢复办理',
    'the "{role}" at "{place}" resumes the case',
    doc="恢复中止的案件；期限顺延中止的时长。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 恢复办理',
    example_en='When the "承办人" at "司法所（书院街道）" resumes the case',
)
def resume(world: World, role: str, place: str) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, None)
    engine = world.need_engine()
    attempt(world, "恢复", lambda: engine.resume(who, ticket.id))


@phrase(
    "办理",
    '"{角色}" 在 "{地点}" 延期 "{时长}"，理由 "{理由}"[，审批人 "{审批人}"]',
    'the "{role}" at "{place}" extends by "{amount}" with reason "{reason}"[, approved by "{approver}"]',
    doc="延期：时长写作 30 分钟、2 小时、5 天、3 个工作日、1 个月（英文 minutes/hours/days/working days/months）。",
    example_zh='当 "承办人" 在 "司法所（书院街道）" 延期 "5 天"，理由 "需要鉴定"，审批人 "王所长"',
    example_en='When the "承办人" at "司法所（书院街道）" extends by "5 days" with reason "expert report", approved by "王所长"',
)
def extend(
    world: World, role: str, place: str, amount: str, reason: str, approver: str | None
) -> None:
    who = world.person(role, place)
    ticket = pick_ticket(world, who, None)
    engine = world.need_engine()
    duration = parse_duration(world, amount)
    attempt(
        world,
        "延期",
        lambda: engine.extend(
            who, ticket.id, amount=duration, reason=reason, approver=approver or ""
        ),
    )


@phrase(
    "办理",
    '当事人评价 "{评价}"',
    'the party evaluates "{score}"',
    doc="当事人对当前案件作出评价（满意/基本满意/不满意，按县区定义的选项）。",
    example_zh='当 当事人评价 "基本满意"',
    example_en='When the party evaluates "基本满意"',
)
def party_evaluates(world: World, score: str) -> None:
    engine = world.need_engine()
    code = world.case().code
    attempt(world, "评价", lambda: engine.evaluate(code, score, by="party"))


@phrase(
    "办理",
    '中心评价 "{评价}"',
    'the center evaluates "{score}"',
    doc="中心对当前案件作出评价。",
    example_zh='当 中心评价 "满意"',
    example_en='When the center evaluates "满意"',
)
def center_evaluates(world: World, score: str) -> None:
    engine = world.need_engine()
    code = world.case().code
    attempt(world, "评价", lambda: engine.evaluate(code, score, by="center"))
