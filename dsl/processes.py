"""Processes (ticket chains): steps, actors, actions, deadlines; and the flow checks.

Flow checks: every step is reachable from the start, and from every step some path reaches an
end step or a closing action (otherwise a case could never finish).
"""

from __future__ import annotations

from typing import Any, Literal

from lark import Token

from dsl import syntax as s
from dsl.context import (
    CALENDAR,
    COLOUR,
    FORM,
    LEVEL,
    OFFICE,
    ROLE,
    SEVERITY,
    STEP,
    Context,
)
from dsl.model import (
    DIVERSION_CHOICE_FIELDS,
    FORM_EFFECTS,
    Action,
    ActionEffect,
    Actor,
    ActorWhere,
    Deadline,
    Evaluation,
    Process,
    Revisit,
    Stage,
    StageEffect,
    StageEffectKind,
    Step,
    StepKind,
)
from dsl.organisation import Located, walk
from dsl.values import condition, duration, share

Tables = dict[str, Any]

KINDS: dict[str, StepKind] = {
    "任务": "task", "task": "task", "办理": "task",
    "会商": "consultation", "consultation": "consultation",
    "评价": "evaluation", "evaluation": "evaluation",
    "核查": "verification", "回访": "verification", "verification": "verification",
    "结束": "end", "end": "end",
    "督办": "supervision", "supervision": "supervision",  # a link beside handling (i20super)
}  # fmt: skip
NEEDS_TARGET = {"complete", "return", "escalate", "push_down", "reopen", "divert"}
NO_TARGET = {"suspend", "extend", "close"}
EVALUATORS = {"当事人": "party", "party": "party", "中心": "center", "center": "center"}
PERIODS = {"日": "day", "天": "day", "day": "day", "周": "week", "week": "week",
           "月": "month", "month": "month"}  # fmt: skip
ALLOW = {"中止": "suspend", "suspend": "suspend", "延期": "extend", "extend": "extend"}


def actor(ctx: Context, node: s.ActorSyntax, tables: Tables) -> Actor:
    ctx.known(node.role, tables["roles"], ROLE)
    if node.office is not None and ctx.known(node.office, tables["offices"], OFFICE):
        office = tables["offices"][node.office]
        if str(node.role) in tables["roles"] and str(node.role) not in office.roles:
            ctx.report(
                node.role,
                f"单位「{node.office}」没有角色「{node.role}」",
                f"office '{node.office}' has no role '{node.role}'",
            )
    if node.level is not None:
        ctx.known(node.level, tables["levels"], LEVEL)
    where: ActorWhere = node.where  # type: ignore[assignment]  # the grammar's four places
    return Actor(str(node.role), where, str(node.office or ""), str(node.level or ""))


def deadline(ctx: Context, node: s.DeadlineSyntax, tables: Tables) -> Deadline:
    by_severity = {}
    for name, value in node.by_severity:
        ctx.known(name, tables["severities"], SEVERITY)
        by_severity[str(name)] = duration(ctx, value)
    by_level = {}
    for name, value in node.by_level:
        ctx.known(name, tables["levels"], LEVEL)
        by_level[str(name)] = duration(ctx, value)
    if node.calendar is not None:
        ctx.known(node.calendar, tables["calendars"], CALENDAR)
    if node.approver is not None:
        ctx.known(node.approver, tables["roles"], ROLE)
    allowed = set()
    for word in node.allow:
        if ctx.known(word, ALLOW, ("可允许的操作", "allowable operation")):
            allowed.add(ALLOW[str(word)])
    default = duration(ctx, node.default) if node.default else None
    if default is None and not by_severity and not by_level and node.default is None:
        ctx.missing(node.at, "时限的时长（默认、按等级或按层级）", "the allowed time")
    return Deadline(
        default,
        {k: v for k, v in by_severity.items() if v is not None},
        {k: v for k, v in by_level.items() if v is not None},
        tuple(_stage(ctx, stage, tables) for stage in node.stages),
        str(node.calendar or ""),
        "suspend" in allowed,
        "extend" in allowed,
        str(node.approver or ""),
    )


def _stage(ctx: Context, node: s.StageSyntax, tables: Tables) -> Stage:
    effects = []
    for effect in node.effects:
        if effect.kind == "colour":
            ctx.known(effect.target, tables["colours"], COLOUR)
        elif effect.target is not None:
            ctx.known(effect.target, tables["roles"], ROLE)
        if effect.level is not None:
            ctx.known(effect.level, tables["levels"], LEVEL)
        kind: StageEffectKind = effect.kind  # type: ignore[assignment]  # grammar's four effects
        target = str(effect.target or "")
        effects.append(
            StageEffect(
                kind,
                colour=target if kind == "colour" else "",
                role="" if kind == "colour" else target,
                at_level=str(effect.level or ""),
            )
        )
    fraction = share(ctx, node.fraction) if node.fraction else None
    after = None
    if node.overdue:
        after = duration(ctx, node.after_due) if node.after_due else None
        after = after or _zero(node)
    return Stage(tuple(effects), fraction, after)


def _zero(node: s.StageSyntax) -> Any:
    from dsl.model import Duration

    return Duration(0, "day")


def _action(
    ctx: Context, node: s.ActionSyntax, step: str, step_form: Token | None, tables: Tables
) -> Action:
    effect: ActionEffect = node.effect or ("complete" if node.target else "close")  # type: ignore[assignment]
    if effect in NEEDS_TARGET and node.target is None:
        ctx.report(
            node.name,
            f"动作「{node.name}」须用 -> 写明下一步骤",
            f"action '{node.name}' needs '-> step'",
        )
    if effect in NO_TARGET and node.target is not None:
        ctx.report(
            node.target,
            f"动作「{node.name}」不转到其他步骤，不能写 ->",
            f"action '{node.name}' does not move the case; remove '->'",
        )
    if node.form is not None:
        ctx.known(node.form, tables["forms"], FORM)
    inherits = effect in FORM_EFFECTS  # as dsl.model.action_form decides at runtime
    form_name = str(node.form or (step_form if inherits else None) or "")
    schema = tables["forms"][form_name].schema if form_name in tables["forms"] else {}
    fields = set(schema.get("properties") or {}) if schema.get("properties") else None
    if not form_name:
        fields = set()  # no form: a 表单.X condition has nothing to read
    if effect == "divert":
        _check_divert(ctx, node, tables)
        _check_divert_choices(ctx, node, form_name, schema, tables)
    titles = {
        str(spec["title"]): key
        for key, spec in (schema.get("properties") or {}).items()
        if isinstance(spec, dict) and isinstance(spec.get("title"), str)
    }
    scope = {**tables, "form_fields": fields, "form_name": form_name, "form_titles": titles}
    cond = condition(ctx, node.condition, scope) if node.condition else None
    target = str(node.target) if node.target else (step if effect == "transfer" else None)
    return Action(
        str(node.name),
        str(node.label or node.name),
        effect,
        target,
        str(node.form) if node.form else None,
        node.requires_reason or effect in ("return", "suspend", "extend"),
        cond,
        str(node.outcome or ""),
    )


def _check_divert(ctx: Context, node: s.ActionSyntax, tables: Tables) -> None:
    """A 分流 needs somewhere to guide to."""
    if not tables.get("diversions"):
        ctx.report(
            node.name,
            f"分流动作「{node.name}」没有可去的法定途径：请先写 引导 名称 -> 去向",
            f"divert action '{node.name}' has no diversion to guide to: declare 'diversion'",
        )


def _check_divert_choices(
    ctx: Context, node: s.ActionSyntax, form: str, schema: Any, tables: Tables
) -> None:
    """The choices the 分流 form offers are diversions (another would always be refused)."""
    found = tables.get("diversions") or {}
    properties = schema.get("properties") or {} if isinstance(schema, dict) else {}
    field = next((f for f in DIVERSION_CHOICE_FIELDS if f in properties), None)
    choices = properties[field].get("enum") if field is not None else None
    if not found or not isinstance(choices, list):
        return
    strays = [str(c) for c in choices if str(c) not in found]
    if strays:
        ctx.report(
            node.name,
            f"分流动作「{node.name}」的表单「{form}」可选「{'、'.join(strays)}」，"
            f"但没有这样的引导去向（已定义：{'、'.join(found)}）：请删去这些选项或补写 引导",
            f"divert form '{form}' offers {', '.join(strays)}, which are not diversions",
        )


def _evaluation(ctx: Context, node: s.EvaluationSyntax) -> Evaluation:
    by = []
    for who in node.by:
        if ctx.known(who, EVALUATORS, ("评价人", "evaluator")):
            by.append(EVALUATORS[str(who)])
    scale = tuple(str(x) for x in node.scale) or ("满意", "基本满意", "不满意")
    for low in node.low:
        ctx.known(low, scale, ("评价选项", "score"))
    on_low: Literal["follow_up", "reopen"] = "reopen" if node.on_low == "reopen" else "follow_up"
    return Evaluation(
        tuple(by) or ("party",),  # type: ignore[arg-type]  # values come from EVALUATORS
        scale,
        tuple(str(x) for x in node.low),
        on_low,
        str(node.target or ""),
    )


def _revisit(ctx: Context, node: s.RevisitSyntax) -> Revisit:
    period: Literal["day", "week", "month"] = "month"
    if node.period is not None and ctx.known(node.period, PERIODS, ("周期", "period")):
        period = PERIODS[str(node.period)]  # type: ignore[assignment]
    if node.count is not None:
        return Revisit(0.0, period, str(node.on_fail or ""), count=_revisit_count(ctx, node.count))
    value = (share(ctx, node.share) if node.share is not None else None) or 1.0
    return Revisit(value, period, str(node.on_fail or ""))


def _revisit_count(ctx: Context, count: Token) -> int:
    """`回访 30 件`: a whole number of cases, at least one."""
    text = str(count)
    if "." in text or int(text) < 1:
        ctx.report(
            count,
            f"回访件数「{text}」无效：须为不小于 1 的整数，如：回访 30 件 每 月",
            f"invalid revisit count '{text}': use a whole number of at least 1",
        )
        return 1
    return int(text)


def step(ctx: Context, node: s.StepDecl, tables: Tables) -> Step:
    kind: StepKind = "end" if node.end else "task"
    if node.kind is not None and ctx.known(node.kind, KINDS, ("步骤类型", "step kind")):
        kind = KINDS[str(node.kind)]
    if kind != "end" and node.actor is None:
        ctx.missing(node.name, f"步骤「{node.name}」的办理人", f"actor of step '{node.name}'")
    if kind == "end" and node.actions:
        ctx.report(node.name, "结束步骤不能有动作", "an end step cannot have actions")
    if kind == "consultation" and not node.participants:
        ctx.missing(node.name, "会商步骤的参与方（参与 …）", "participants of a consultation")
    if kind == "evaluation" and node.evaluation is None:
        ctx.missing(node.name, "评价步骤的评价设置（评价 { … }）", "evaluation settings")
    if kind == "verification" and node.revisit is None:
        ctx.missing(node.name, "核查步骤的回访设置（回访 …）", "revisit settings")
    if node.form is not None:
        ctx.known(node.form, tables["forms"], FORM)
    seen: dict[str, tuple[str, int]] = {}
    actions = tuple(
        _action(ctx, a, str(node.name), node.form, tables)
        for a in node.actions
        if ctx.unique(a.name, seen, ("动作", "action"))
    )
    return Step(
        str(node.name),
        str(node.label or node.name),
        kind,
        actor(ctx, node.actor, tables) if node.actor else None,
        str(node.form) if node.form else None,
        actions,
        deadline(ctx, node.deadline, tables) if node.deadline else None,
        str(node.ticket or ""),
        tuple(actor(ctx, p, tables) for p in node.participants),
        _evaluation(ctx, node.evaluation) if node.evaluation else None,
        _revisit(ctx, node.revisit) if node.revisit else None,
        node.name.line or 0,
        tuple(str(b) for b in node.beside),
    )


def process(ctx: Context, node: s.ProcessDecl, tables: Tables) -> Process | None:
    seen: dict[str, tuple[str, int]] = {}
    steps: dict[str, Step] = {}
    for decl in node.steps:
        if ctx.unique(decl.name, seen, STEP):
            steps[str(decl.name)] = step(ctx, decl, tables)
    if not steps:
        ctx.missing(node.name, f"流程「{node.name}」的步骤", f"steps of process '{node.name}'")
        return None
    start = str(node.start) if node.start else next(iter(steps))
    if node.start is not None and not ctx.known(node.start, steps, STEP):
        return None
    _check_targets(ctx, node, steps)
    _check_revisit_fail(ctx, node, steps)
    _check_flow(ctx, node, steps, start)
    case_deadline = deadline(ctx, node.deadline, tables) if node.deadline else None
    return Process(
        str(node.name),
        str(node.label or node.name),
        start,
        steps,
        case_deadline,
        node.name.line or 0,
    )


def _targets(decl: s.StepDecl) -> list[Token]:
    found = [a.target for a in decl.actions if a.target is not None]
    if decl.evaluation is not None and decl.evaluation.target is not None:
        found.append(decl.evaluation.target)
    if decl.revisit is not None and decl.revisit.on_fail is not None:
        found.append(decl.revisit.on_fail)
    return found


def _check_targets(ctx: Context, node: s.ProcessDecl, steps: dict[str, Step]) -> None:
    for decl in node.steps:
        for target in _targets(decl):
            ctx.known(target, steps, STEP)


def _check_revisit_fail(ctx: Context, node: s.ProcessDecl, steps: dict[str, Step]) -> None:
    """`回访 … 不通过 -> X` reopens the case at X for someone to work it again: X must be a step
    with work (not an end step, not the revisit itself)."""
    for decl in node.steps:
        fail = decl.revisit.on_fail if decl.revisit is not None else None
        target = steps.get(str(fail)) if fail is not None else None
        if fail is None or target is None:
            continue
        if target.kind == "end":
            ctx.report(
                fail,
                f"回访不通过要重新办理，不能转到结束步骤「{fail}」：请写要重新办理的步骤",
                f"a failed revisit cannot go to the end step '{fail}'",
            )
        elif str(fail) == str(decl.name):
            ctx.report(
                fail,
                f"回访不通过不能回到核查步骤「{fail}」本身：请写要重新办理的步骤",
                f"a failed revisit cannot go back to its own step '{fail}'",
            )


def successors(one: Step) -> set[str]:
    found = {a.target for a in one.actions if a.target}
    if one.evaluation is not None and one.evaluation.target:
        found.add(one.evaluation.target)
    if one.revisit is not None and one.revisit.on_fail:
        found.add(one.revisit.on_fail)
    return found


def _check_flow(ctx: Context, node: s.ProcessDecl, steps: dict[str, Step], start: str) -> None:
    reached, todo = {start}, [start]
    while todo:
        for nxt in successors(steps[todo.pop()]):
            if nxt in steps and nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    finishing = {
        k
        for k, v in steps.items()
        if v.kind == "end" or any(a.effect == "close" for a in v.actions)
    }
    if not finishing:
        ctx.report(
            node.name,
            f"流程「{node.name}」没有结束步骤或办结动作，案件永远无法办结",
            f"process '{node.name}' has no end step and no closing action",
        )
        return
    can_finish, changed = set(finishing), True
    while changed:
        changed = False
        for key, value in steps.items():
            if key not in can_finish and successors(value) & can_finish:
                can_finish.add(key)
                changed = True
    for decl in node.steps:
        if decl.name not in steps or steps[decl.name].line != (decl.name.line or 0):
            continue
        if steps[decl.name].kind == "supervision":
            continue  # a link beside handling: not reached by actions (dsl/supervision.py)
        if decl.name not in reached:
            ctx.report(
                decl.name,
                f"步骤「{decl.name}」从开始步骤「{start}」无法到达",
                f"step '{decl.name}' cannot be reached from the start step '{start}'",
            )
        elif decl.name not in can_finish:
            ctx.report(
                decl.name,
                f"从步骤「{decl.name}」出发，案件永远无法办结（到不了结束步骤或办结动作）",
                f"from step '{decl.name}' a case can never finish",
            )


def processes(ctx: Context, decls: Located[s.ProcessDecl], tables: Tables) -> dict[str, Process]:
    found: dict[str, Process] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if ctx.unique(decl.name, seen, ("流程", "process")):
            compiled = process(ctx, decl, tables)
            if compiled is not None:
                found[str(decl.name)] = compiled
    return found
