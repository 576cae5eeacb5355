"""Supervision as a duty (督办): who may issue a 督办单 by hand, who replies and how fast; and
supervision links, the steps of a chain that run beside handling (孝感's 督办单, 云梦's 归口督单).

    督办 {
      督办人 督办员 @ 县, 负责人 @ 市      # a role at a level: that center's cases and below
      回复人 承办人                        # the role at the targeted office that replies
      回复时限 {
        默认 2 工作日                      # the supervisor may set another when issuing
        到 80% 提醒                        # a reminder to the office
        超时 亮 红, 督办 负责人 @ 市       # a late reply: the grade, and a 督办单 one level up
      }
    }

    步骤 督办单 { 类型 督办  办理人 督办员 @ 中心 县  伴随 接单, 办理 }

What the engine does with them: engine/supervision.py (issuing, replying, the reply timers)
and engine/supervision_link.py (the link's ticket). What nobody could honour is refused here.
"""

from __future__ import annotations

from typing import Any

from dsl import syntax as s
from dsl.context import LEVEL, ROLE, STEP, Context
from dsl.model import County, SupervisionDuty, Supervisor
from dsl.organisation import Located, walk
from dsl.processes import _targets, deadline

DUTY = ("督办", "supervision")
# what a 督办单's reply deadline can do when it runs out (its own timer kinds)
REPLY_EFFECTS = ("remind", "colour", "supervise")
# what a supervision link step may say: who holds it and what it runs beside, nothing else
LINK_FIELDS = {
    "form": "表单",
    "actions": "动作",
    "deadline": "时限",
    "participants": "参与",
    "evaluation": "评价",
    "revisit": "回访",
}


def duty(
    ctx: Context, decls: Located[s.SupervisionDecl], t: dict[str, Any]
) -> SupervisionDuty | None:
    """The county's one `督办 { … }` block, checked against its roles, levels and offices."""
    found: SupervisionDuty | None = None
    for decl in walk(ctx, decls):
        if found is not None:
            ctx.report(decl.at, "督办声明只能写一次", "the supervision block may appear only once")
            continue
        found = _duty(ctx, decl, t)
    return found


def _duty(ctx: Context, decl: s.SupervisionDecl, t: dict[str, Any]) -> SupervisionDuty | None:
    supervisors: list[Supervisor] = []
    for role, level in decl.supervisors:
        known = ctx.known(role, t["roles"], ROLE) & ctx.known(level, t["levels"], LEVEL)
        if not known:
            continue
        if not any(c.level == str(level) for c in t["centers"].values()):
            ctx.report(
                level,
                f"层级「{level}」没有中心，督办人「{role} @ {level}」无处任职",
                f"no center at level '{level}' for supervisor '{role}'",
            )
            continue
        supervisors.append(Supervisor(str(role), str(level)))
    if not decl.supervisors:
        ctx.missing(decl.at, "督办人（督办人 角色 @ 层级）", "supervisors (role @ level)")
    if decl.replier is None:
        ctx.missing(decl.at, "回复人（被督办单位回复督办单的角色）", "the replying role")
    elif ctx.known(decl.replier, t["roles"], ROLE) and not any(
        str(decl.replier) in o.roles for o in t["offices"].values()
    ):
        ctx.report(
            decl.replier,
            f"没有任何单位设有角色「{decl.replier}」，督办单无人回复",
            f"no office has the role '{decl.replier}': nobody could reply",
        )
    if decl.reply is None:
        ctx.missing(decl.at, "回复时限（回复时限 2 工作日）", "the reply deadline")
        return None
    reply = deadline(ctx, decl.reply, t)
    _check_reply(ctx, decl.reply)
    if not supervisors or decl.replier is None:
        return None
    return SupervisionDuty(tuple(supervisors), str(decl.replier), reply)


def _check_reply(ctx: Context, node: s.DeadlineSyntax) -> None:
    """A 督办单 is answered, not suspended, and a late one rises to a supervisor, not the case."""
    if node.allow or node.approver is not None:
        ctx.report(
            node.at,
            "督办单的回复时限不能中止或延期（不写「允许」「审批人」）",
            "a supervision reply deadline cannot be suspended or extended",
        )
    for stage in node.stages:
        for effect in stage.effects:
            if effect.kind == "escalate":
                ctx.report(
                    effect.at,
                    "督办单逾期不能「提级」案件：请写「督办 角色 @ 层级」，由上级督办人督办",
                    "a late reply cannot escalate the case: write 'supervise ROLE @ LEVEL'",
                )
            elif effect.kind == "supervise" and effect.level is None:
                ctx.report(
                    effect.at,
                    f"督办单逾期的「督办 {effect.target}」要写层级，"
                    f"如「督办 {effect.target} @ 市」",
                    "a late reply's supervision needs a level: 'supervise ROLE @ LEVEL'",
                )


def check_links(ctx: Context, county: County, decls: Located[s.ProcessDecl]) -> None:
    """A supervision step (类型 督办) runs beside the steps it names: it needs them, and it has
    no actions, form or deadline of its own (nothing would ever run them); 伴随 on any other
    step would be inert."""
    for decl in walk(ctx, decls):
        process = county.processes.get(str(decl.name))
        if process is None:
            continue
        for step_decl in decl.steps:
            step = process.steps.get(str(step_decl.name))
            if step is None:
                continue
            _check_targets(ctx, process.steps, step_decl)
            if step.kind != "supervision":
                if step_decl.beside:
                    ctx.report(
                        step_decl.beside[0],
                        f"只有督办步骤（类型 督办）可以写「伴随」，步骤「{step.key}」不是",
                        f"only a supervision step may run beside others; '{step.key}' is not one",
                    )
                continue
            _check_link(ctx, process.start, process.steps, step_decl)


def _check_link(ctx: Context, start: str, steps: Any, decl: s.StepDecl) -> None:
    name = str(decl.name)
    if not decl.beside:
        ctx.missing(
            decl.name,
            f"督办步骤「{name}」伴随的步骤（伴随 接单, 办理）",
            f"the steps supervision step '{name}' runs beside",
        )
    for other in decl.beside:
        if not ctx.known(other, steps, STEP):
            continue
        if steps[str(other)].kind in ("supervision", "end"):
            ctx.report(
                other,
                f"督办步骤只能伴随办理步骤，「{other}」是督办或结束步骤",
                f"a supervision step runs beside work steps; '{other}' is not one",
            )
    for key, word in LINK_FIELDS.items():
        if getattr(decl, key):
            ctx.report(
                decl.name,
                f"督办步骤「{name}」伴随办理、不挡流程，不能写「{word}」（督办人在案件页开具督办单）",
                f"supervision step '{name}' runs beside handling and cannot have a {key}",
            )
    if name == start:
        ctx.report(
            decl.name,
            f"督办步骤「{name}」不能是开始步骤：它伴随其他步骤运行",
            f"supervision step '{name}' cannot be the start step",
        )


def _check_targets(ctx: Context, steps: Any, decl: s.StepDecl) -> None:
    """No action, evaluation or revisit sends the case into a supervision step: it has no
    actions of its own, so a case there would never move again."""
    for target in _targets(decl):
        found = steps.get(str(target))
        if found is not None and found.kind == "supervision":
            ctx.report(
                target,
                f"「{target}」是督办步骤，伴随办理运行，不能作为去向",
                f"'{target}' is a supervision step and cannot be a target",
            )
