"""Which demo account to use for each step of a county's chain: the first-run table that
`yidi serve` prints and /start shows.

Computed from the county's definition and the demo plan (admin.demo.plan), never written by
hand: a sample case is registered at the universal window of the first town that has window
staff, routed as the county's rules route it, and walked along its process the way the engine
places each step's ticket (engine.flow.place) and lets a membership work it (engine.scope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from admin.demo import DemoAccount, county_center, plan
from dsl import routing
from engine.flow import place


@dataclass(frozen=True)
class ChainRow:
    step: str  # what is done, e.g. "受理登记", "派单"
    role: str
    place: str  # center (and office) in words
    username: str  # "" when no demo account can do it


def admin_username(model: Any) -> str:
    return f"{model.key}admin"


def _works(account: DemoAccount, center: str, office: str | None, role: str) -> bool:
    m = account.membership  # the rule of engine.scope.may_work
    return (
        m is not None
        and m.center == center
        and m.role == role
        and (not office or m.office == office)
    )


def _who(accounts: list[DemoAccount], center: str, office: str | None, role: str) -> str:
    found = [a for a in accounts if _works(a, center, office, role)]
    exact = [a for a in found if a.membership and a.membership.office == office]
    return (exact or found or [DemoAccount("", "", None)])[0].username


def _where(model: Any, center: str, office: str | None) -> str:
    name = model.centers[center].name if center in model.centers else center
    return f"{name} · {model.offices[office].name}" if office in model.offices else name


def _sample(model: Any, town: str) -> tuple[dict[str, Any], Any] | None:
    """A case received at `town`: the first category, at the lowest severity, that routes."""
    severities = list(model.severities)
    for category in model.categories:
        decision = routing.route(model, category, severities[0], town) if severities else None
        if decision is None:
            continue
        handling = routing.center_at_level(model, town, decision.level)
        case = {
            "center": handling.key if handling else town,
            "office": decision.office,
            "received_center": town,
            "category": category,
            "severity": severities[0],
        }
        return case, model.processes[decision.process]
    return None


def chain(model: Any) -> list[ChainRow]:
    """One row per step of the chain a typical case takes, then supervision and the console."""
    accounts = plan(model)
    top = county_center(model).key
    window_staff = [a for a in accounts if a.membership and a.membership.window]
    intake = next((a for a in window_staff if a.membership and a.membership.center != top), None)
    intake = intake or (window_staff[0] if window_staff else None)
    rows: list[ChainRow] = []
    if intake is None or intake.membership is None:
        return [ChainRow("配置台", "县级管理员", model.name, admin_username(model))]
    town = intake.membership.center
    rows.append(
        ChainRow("受理登记", intake.membership.role, _where(model, town, None), intake.username)
    )
    sample = _sample(model, town)
    if sample is not None:
        case, process = sample
        rows += _steps(model, accounts, case, process)
    rows.append(ChainRow("配置台", "县级管理员", model.name, admin_username(model)))
    return rows


def _steps(
    model: Any, accounts: list[DemoAccount], case: dict[str, Any], process: Any
) -> list[ChainRow]:
    rows: list[ChainRow] = []
    seen: set[str] = set()
    key: str | None = process.start
    while key and key not in seen and key in process.steps:
        seen.add(key)
        step = process.steps[key]
        if step.actor is None:
            break
        center, office = place(model, case, step.actor)
        role = (
            model.roles[step.actor.role].name if step.actor.role in model.roles else step.actor.role
        )
        rows.append(
            ChainRow(
                step.name,
                role,
                _where(model, center, office),
                _who(accounts, center, office, step.actor.role),
            )
        )
        key = next((a.target for a in step.actions if a.effect == "complete"), None)
    supervise = _supervision(process)
    if supervise is not None:
        level_center = routing.center_at_level(model, case["center"], supervise.at_level)
        center = level_center.key if level_center else case["center"]
        role = model.roles[supervise.role].name if supervise.role in model.roles else supervise.role
        rows.append(
            ChainRow(
                "超时督办",
                role,
                _where(model, center, None),
                _who(accounts, center, None, supervise.role),
            )
        )
    return rows


def _supervision(process: Any) -> Any:
    deadlines = [process.case_deadline, *(s.deadline for s in process.steps.values())]
    for deadline in deadlines:
        for stage in deadline.stages if deadline is not None else ():
            for effect in stage.effects:
                if effect.kind == "supervise":
                    return effect
    return None


def chain_text(model: Any) -> list[str]:
    """The table as terminal lines (what `yidi serve` prints on first run)."""
    lines = [f"{model.name}（{model.key}）："]
    for row in chain(model):
        who = row.username or "（无演示账号）"
        lines.append(f"  {row.step:<6}\t{who:<14}\t{row.role}（{row.place}）")
    return lines


def chain_markdown(models: list[Any]) -> str:
    """The tables of every demo county as Markdown (docs/workbench.md carries them; a test
    compares the two)."""
    out: list[str] = []
    for model in models:
        out += [
            f"**{model.name}**（`{model.key}`）",
            "",
            "| 环节 | 账号 | 角色 | 岗位 |",
            "|---|---|---|---|",
        ]
        for row in chain(model):
            who = f"`{row.username}`" if row.username else "（无演示账号）"
            out.append(f"| {row.step} | {who} | {row.role} | {row.place} |")
        out.append("")
    return "\n".join(out)
