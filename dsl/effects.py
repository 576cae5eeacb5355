"""No inert rule: refuse what a county writes but the engine would never do, or would do wrong.

- settings that only one kind of step reads (评价 in an evaluation step, 回访 in a verification
  step, 参与 in a consultation) written in another kind of step;
- a case that escalation (提级, by an action or a deadline stage) or push-down (下沉) moves to a
  center where the office that works its step is not stationed: the ticket would go to an office
  that is not there. The walk follows each route from its own level through the process.

The intake form's location convention is in `dsl.intake`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lark import Token

from dsl import syntax as s
from dsl.context import Context
from dsl.model import Center, County, Process, Step

Located = list[tuple[str, object]]

# step setting -> (the step kind that reads it, its Chinese name, the kind's Chinese name)
ONLY_IN = {
    "evaluation": ("evaluation", "评价", "评价"),
    "revisit": ("verification", "回访", "核查"),
    "participants": ("consultation", "参与", "会商"),
}
KIND_ZH = {
    "task": "任务",
    "consultation": "会商",
    "evaluation": "评价",
    "verification": "核查",
    "end": "结束",
}


def check_effects(ctx: Context, county: County, groups: dict[type, Located]) -> None:
    for path, decl in groups.get(s.ProcessDecl, []):
        assert isinstance(decl, s.ProcessDecl)
        process = county.processes.get(str(decl.name))
        if process is None:
            continue
        ctx.path = path
        for step_decl in decl.steps:
            step = process.steps.get(str(step_decl.name))
            if step is not None and step.line == (step_decl.name.line or 0):
                _misplaced(ctx, step_decl, step)
    _stationing(ctx, county, groups)


def _misplaced(ctx: Context, decl: s.StepDecl, step: Step) -> None:
    written: dict[str, Token | None] = {
        "evaluation": decl.evaluation.at if decl.evaluation else None,
        "revisit": decl.revisit.at if decl.revisit else None,
        "participants": decl.participants[0].role if decl.participants else None,
    }
    for setting, at in written.items():
        kind, word, kind_zh = ONLY_IN[setting]
        if at is None or step.kind == kind:
            continue
        here = KIND_ZH.get(step.kind, step.kind)
        ctx.report(
            at,
            f"「{word}」只在{kind_zh}步骤（类型 {kind_zh}）中起作用；"
            f"步骤「{step.key}」是{here}步骤，这里的「{word}」不会执行",
            f"'{word}' only works in {'an' if kind[0] in 'aeiou' else 'a'} {kind} step "
            f"(类型 {kind_zh}); step '{step.key}' is a {step.kind} step, so it would never run",
        )


# --- where escalation and push-down take a case ------------------------------------------


@dataclass(frozen=True)
class _Move:
    """A way out of a step that moves the case: `up` (escalate) or down (push-down)."""

    at: Token
    what: str  # the action or stage as written, for the message
    what_en: str
    target: str  # the step entered afterwards
    up: bool


def _moves(decl: s.ProcessDecl, step_decl: s.StepDecl, step: Step) -> Iterator[_Move]:
    actions = {a.key: a for a in step.actions}
    for action_decl in step_decl.actions:
        action = actions.get(str(action_decl.name))
        if action is not None and action.effect in ("escalate", "push_down") and action.target:
            up = action.effect == "escalate"
            yield _Move(
                action_decl.name,
                f"动作「{action.key}」",
                f"action '{action.key}'",
                action.target,
                up,
            )
    for deadline in (step_decl.deadline, decl.deadline):
        for stage in deadline.stages if deadline else ():
            for effect in stage.effects:
                if effect.kind == "escalate":  # a stage re-enters the step the case is at
                    yield _Move(
                        effect.at, "时限阶段「提级」", "the deadline stage '提级'", step.key, True
                    )


def _routed_cases(
    county: County, groups: dict[type, Located]
) -> Iterator[tuple[str, str, str, list[Center]]]:
    """(path, process, office, centers the routed case starts at) per route with a level."""
    for path, decl in groups.get(s.RouteDecl, []):
        assert isinstance(decl, s.RouteDecl)
        level, tags = str(decl.level), {str(t) for t in decl.tags}
        process = str(decl.process) if decl.process else county.default_process
        starts = [
            c
            for c in county.centers.values()
            if c.level == level and (not tags or tags & _tags(county, c.key))
        ]
        yield path, process, str(decl.office), starts


def _tags(county: County, key: str | None) -> set[str]:
    found: set[str] = set()
    while key is not None and key in county.centers:
        found |= county.centers[key].tags
        key = county.centers[key].parent
    return found


def _stationed(county: County, office: str, center: str) -> bool:
    node = county.offices[office]
    return center in node.centers or county.centers[center].level in node.levels


def _office_after_move(county: County, office: str | None, center: str) -> str | None:
    """The office a moved case keeps or gets: the engine keeps it where it is stationed, else
    routing chooses again at the new center (`dsl.routing.office_at`); statically any route of
    that level could match, so the first route's office stationed there stands for them."""
    if office is not None and _stationed(county, office, center):
        return office
    level = county.centers[center].level
    for route in county.routes:
        if route.level == level and _stationed(county, route.office, center):
            return route.office
    fallback = county.fallback
    if fallback is not None and _stationed(county, fallback.office, center):
        return fallback.office
    return None


def _absent(county: County, step: Step, office: str | None, center: str) -> str | None:
    """What a ticket of `step` at `center` would lack: "" for the routed office when none is
    left, the named office when it is stationed nowhere up the chain; None when all is well."""
    for actor in (step.actor, *step.participants):
        if actor is None:
            continue
        if actor.where == "routed_office" and office is None:
            return ""
        chain = _chain(county, center)
        if (
            actor.where == "office"
            and actor.office in county.offices
            and not any(_stationed(county, actor.office, c) for c in chain)
        ):
            return actor.office
    return None


def _chain(county: County, key: str) -> list[str]:
    chain = []
    node: str | None = key
    while node is not None and node in county.centers:
        chain.append(node)
        node = county.centers[node].parent
    return chain


def _stationing(ctx: Context, county: County, groups: dict[type, Located]) -> None:
    decls = {
        str(d.name): (p, d)
        for p, d in groups.get(s.ProcessDecl, [])
        if isinstance(d, s.ProcessDecl)
    }
    reported: set[tuple[str, int, int, str]] = set()
    for _, process_key, office, starts in _routed_cases(county, groups):
        process = county.processes.get(process_key)
        if process is None or office not in county.offices or process_key not in decls:
            continue
        path, decl = decls[process_key]
        for move, step, center, absent in _walk(county, process, decl, office, starts):
            if move is None:  # where routing puts the case: the step names an absent office
                _named_office_absent(ctx, county, decl, step, center, absent, reported, path)
                continue
            key = (path, move.at.line or 0, move.at.column or 0, absent)
            if key in reported:
                continue
            reported.add(key)
            name = county.centers[center].name
            way = "提级" if move.up else "下沉"
            if absent:
                zh = f"单位「{absent}」没有入驻该中心及其上级"
                en = f"office '{absent}' is stationed neither there nor above"
            else:
                level = county.centers[center].level
                zh = f"单位「{office}」没有入驻该中心，{level}级没有分派规则，兜底单位也不在"
                en = (
                    f"office '{office}' is not stationed, no route has that level and "
                    "the fallback office is not there either"
                )
            ctx.report(
                move.at,
                f"{move.what}把分派给「{office}」的案件{way}到「{name}」后，{zh}，"
                f"步骤「{step}」的工单没有单位可承办",
                f"{move.what_en} {'escalates' if move.up else 'pushes down'} cases routed to "
                f"'{office}' to '{name}', where {en}: step '{step}' has no office to work it",
                path=path,
            )


def _named_office_absent(
    ctx: Context,
    county: County,
    decl: s.ProcessDecl,
    step: str,
    center: str,
    absent: str,
    reported: set[tuple[str, int, int, str]],
    path: str,
) -> None:
    found = next((d for d in decl.steps if str(d.name) == step), None)
    at = found.actor.office if found is not None and found.actor is not None else None
    key = (path, (at.line or 0) if at else 0, (at.column or 0) if at else 0, absent)
    if key in reported:
        return
    reported.add(key)
    name = county.centers[center].name
    ctx.report(
        at,
        f"步骤「{step}」由单位「{absent}」办理，但分派到「{name}」的案件所在中心及其上级"
        "都没有入驻该单位，工单会发给不在场的单位",
        f"step '{step}' is worked by office '{absent}', which is stationed neither at "
        f"'{name}', where routing puts cases, nor above it",
        path=path,
    )


def _walk(
    county: County, process: Process, decl: s.ProcessDecl, office: str, starts: list[Center]
) -> Iterator[tuple[_Move | None, str, str, str]]:
    """Every (move, step, center, absent office) a routed case can reach with a ticket no office
    can work, following completions, returns, escalations and push-downs."""
    step_decls = {str(d.name): d for d in decl.steps}
    # The cause is part of a state: two moves (an action and a deadline stage) reaching the same
    # step at the same center are two mistakes to report, not one walk to skip.
    seen: set[tuple[str, str, str | None, _Move | None]] = set()
    todo: list[tuple[str, str, str | None, _Move | None]] = [
        (process.start, c.key, office, None) for c in starts
    ]
    while todo:
        step_key, center, holder, cause = todo.pop()
        if (step_key, center, holder, cause) in seen or step_key not in process.steps:
            continue
        seen.add((step_key, center, holder, cause))
        step = process.steps[step_key]
        absent = _absent(county, step, holder, center)
        if absent is not None and (cause is not None or absent):
            yield cause, step_key, center, absent
            continue  # one report per way there is enough
        for nxt in _same_center(step):
            todo.append((nxt, center, holder, cause))
        if step_key not in step_decls:
            continue
        for move in _moves(decl, step_decls[step_key], step):
            parent = county.centers[center].parent
            if move.up:
                targets = [parent] if parent is not None else []
            else:
                targets = [c.key for c in county.centers.values() if c.parent == center]
            for there in targets:
                todo.append((move.target, there, _office_after_move(county, holder, there), move))


def _same_center(step: Step) -> Iterator[str]:
    for action in step.actions:
        if action.target and action.effect not in ("escalate", "push_down"):
            yield action.target
    if step.evaluation is not None and step.evaluation.target:
        yield step.evaluation.target
    if step.revisit is not None and step.revisit.on_fail:
        yield step.revisit.on_fail
