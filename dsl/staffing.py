"""Can every routed case be worked? A step done by "the office routing chose" needs that role
in each office a route (or the fallback) can choose for the step's process."""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token

from dsl import syntax as s
from dsl.context import Context
from dsl.model import Actor, County, Process

Located = list[tuple[str, object]]


def _routed_actors(process: Process) -> Iterator[tuple[str, Actor]]:
    for step in process.steps.values():
        for actor in (step.actor, *step.participants):
            if actor is not None and actor.where == "routed_office":
                yield step.key, actor


def _check(ctx: Context, county: County, process: str, office: str, at: Token) -> None:
    if process not in county.processes or office not in county.offices:
        return  # already reported as undefined
    roles = county.offices[office].roles
    for step, actor in _routed_actors(county.processes[process]):
        if actor.role not in roles:
            ctx.report(
                at,
                f"分派到单位「{office}」的案件走流程「{process}」，其步骤「{step}」由承办单位的"
                f"「{actor.role}」办理，但该单位没有这个角色",
                f"cases routed to office '{office}' follow process '{process}', whose step "
                f"'{step}' needs role '{actor.role}' in that office, which it lacks",
            )
            return  # one message per route is enough to fix it


def check_staffing(ctx: Context, county: County, routes: Located, fallbacks: Located) -> None:
    for path, decl in routes:
        assert isinstance(decl, s.RouteDecl)
        ctx.path = path
        process = str(decl.process) if decl.process else county.default_process
        _check(ctx, county, process, str(decl.office), decl.office)
    for path, decl in fallbacks[:1]:
        assert isinstance(decl, s.FallbackDecl)
        if decl.office is not None:
            ctx.path = path
            _check(ctx, county, county.default_process, str(decl.office), decl.office)
