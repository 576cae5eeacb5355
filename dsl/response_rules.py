"""The response timer of a route (`响应 30 分钟 到场`): who responds, who is reminded, who
supervises, and what `yidi check` refuses because nobody could honour it.

The language declares the limit and the manner only; the timer's stages follow one rule, the
same in every county, so that an on-site response is watched the way its deadline is
(docs/language.md, 「响应」):

- the clock starts when the case is received; a person of the routed office claiming (签收) or
  acting on one of its tickets is the response, recorded with the time it took;
- at 80% of the limit the responder (the role of the first step worked by the routed office)
  is reminded;
- at the limit, with nobody responded, a 督办单 goes to the supervisor the process already
  declares for itself (`督办 角色 @ 层级` in that step's deadline, else in the case deadline,
  else in any step's), as an overdue deadline would.

Pure functions over the compiled model: the engine and the checker ask the same questions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dsl import syntax as s
from dsl.context import Context
from dsl.model import Actor, County, Deadline, Process, Route, StageEffect, Step

# When the responder is reminded, as a share of the response limit.
REMIND_AT = 0.8


@dataclass(frozen=True)
class ResponsePolicy:
    step: str  # Step.key the routed office works first: its tickets' claims are the response
    role: str  # the responder role reminded at REMIND_AT
    supervisor: StageEffect  # kind "supervise": who gets the 督办单 at the limit


def _responders(step: Step, office: str) -> list[Actor]:
    """The step's actors whose tickets go to the routed office `office`."""
    return [
        actor
        for actor in (step.actor, *step.participants)
        if actor is not None
        and (actor.where == "routed_office" or (actor.where == "office" and actor.office == office))
    ]


def responder_step(process: Process, office: str) -> Step | None:
    """The first step (in source order) one of whose tickets goes to the routed office."""
    return next((step for step in process.steps.values() if _responders(step, office)), None)


def _supervisions(deadline: Deadline | None) -> Iterator[StageEffect]:
    if deadline is None:
        return
    for stage in deadline.stages:
        for effect in stage.effects:
            if effect.kind == "supervise" and effect.role:
                yield effect


def supervisor(process: Process, step: Step) -> StageEffect | None:
    """The supervision the process declares: the responding step's, the case's, any step's."""
    deadlines = [step.deadline, process.case_deadline]
    deadlines += [other.deadline for other in process.steps.values()]
    for deadline in deadlines:
        for effect in _supervisions(deadline):
            return effect
    return None


def policy(county: County, route: Route) -> ResponsePolicy | None:
    """The response timer's rule for a route, or None when it has no `响应`."""
    if route.response is None:
        return None
    process = county.processes.get(route.process or county.default_process)
    if process is None:
        return None
    step = responder_step(process, route.office)
    if step is None:
        return None
    boss = supervisor(process, step)
    if boss is None:
        return None
    role = _responders(step, route.office)[0].role
    return ResponsePolicy(step=step.key, role=role, supervisor=boss)


def check_responses(ctx: Context, county: County, decls: list[tuple[str, object]]) -> None:
    """Refuse a `响应` nobody could answer or nobody would supervise."""
    for (path, decl), route in zip(decls, county.routes, strict=False):
        assert isinstance(decl, s.RouteDecl)
        if decl.response is None or route.response is None:
            continue
        ctx.path = path
        name = route.process or county.default_process
        process = county.processes.get(name)
        if process is None:
            continue  # reported as undefined
        at = decl.response.at
        step = responder_step(process, route.office)
        if step is None:
            ctx.report(
                at,
                f"分派规则写了响应时限，但流程「{name}」没有由承办单位（「{route.office}」）"
                "办理的步骤，无人能响应",
                f"the route sets a response time, but process '{name}' has no step worked by "
                f"the routed office '{route.office}': nobody could respond",
            )
        elif supervisor(process, step) is None:
            ctx.report(
                at,
                f"分派规则写了响应时限，但流程「{name}」的时限里没有写督办"
                "（如：超时 督办 督办员 @ 县），响应超时无人督办",
                f"the route sets a response time, but process '{name}' declares no supervision "
                "(e.g. overdue supervise 督办员 @ 县) to act when nobody responds in time",
                (
                    "在承办步骤的时限或整体时限里写一条「超时 督办 角色 @ 层级」",
                    "add 'overdue supervise <role> @ <level>' to the step's or the case deadline",
                ),
            )
