"""Moving running cases to a newer definition version: a dry-run plan first, then the move.

A case maps when its process, category, center and office (承办单位) exist in the target
version, and every open ticket can still be worked there: its step exists with the same kind,
and its center, role and office exist (the office still stationed at that center), since
those are what a user's membership must match to be offered the ticket's actions. Anything
else is refused with the reason, and the case stays on its version untouched.

The plan records the state each mapping was computed from. Applying it recomputes the mapping
from the case as it is then, with the case and its open tickets locked, and refuses a case
whose state changed since the plan (the operator approved a report that no longer holds) or
that no longer maps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import OperationalError

from dsl import routing
from dsl.model import County
from engine import audit, loading
from engine.db import utcnow, writer
from engine.errors import ActionRefused, NotFound
from engine.flow import OPEN_STATES
from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION
from engine.tables import CASE, TICKET

STATUS = {"open": "办理中", "suspended": "已中止", "closed": "已结案"}
# PostgreSQL gives up one of two transactions waiting on each other; nothing was written.
CONFLICT_STATES = ("40P01", "40001")  # deadlock_detected, serialization_failure


@dataclass(frozen=True)
class TicketState:
    """What the mapping reads of one open ticket."""

    id: int
    name: str
    step: str
    kind: str
    center: str
    office: str | None
    role: str


@dataclass(frozen=True)
class CaseState:
    """What the mapping reads of a case: equal states map equally."""

    version_id: int
    status: str
    process: str
    step: str | None
    category: str
    center: str
    office: str | None
    tickets: tuple[TicketState, ...]


@dataclass(frozen=True)
class StepMapping:
    ticket_id: int
    step: str
    target: str | None  # the step in the new version; None when it has none
    problem: str = ""  # why the ticket cannot be worked there ("" = it can)

    @property
    def mappable(self) -> bool:
        return self.target is not None and not self.problem


@dataclass(frozen=True)
class CaseMapping:
    code: str
    case_id: int
    from_version: int
    steps: tuple[StepMapping, ...]
    problem: str = ""  # why the whole case cannot move ("" = it can)
    state: CaseState | None = None  # what it was computed from (None: not from a case row)

    @property
    def mappable(self) -> bool:
        return not self.problem and all(s.mappable for s in self.steps)

    @property
    def reason(self) -> str:
        """Every reason it cannot move, case first, then its tickets'."""
        return "；".join(p for p in (self.problem, *(s.problem for s in self.steps)) if p)


@dataclass(frozen=True)
class MigrationPlan:
    county: str
    to_version: int  # DefinitionVersion.id
    to_number: int
    cases: tuple[CaseMapping, ...] = ()

    @property
    def movable(self) -> list[CaseMapping]:
        return [c for c in self.cases if c.mappable]

    @property
    def refused(self) -> list[CaseMapping]:
        return [c for c in self.cases if not c.mappable]


@dataclass(frozen=True)
class MigrationResult:
    moved: tuple[str, ...]
    refused: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (code, reason)


def _target(engine: Engine, county_key: str, to_version: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(VERSION.c.county_id, VERSION.c.number)
            .join(COUNTY, COUNTY.c.id == VERSION.c.county_id)
            .where(VERSION.c.id == to_version, COUNTY.c.code == county_key)
        ).first()
    if row is None:
        raise NotFound(f"县区「{county_key}」没有编号为 {to_version} 的流程版本")
    return int(row.county_id), int(row.number)


def _state(case: Any, tickets: list[Any]) -> CaseState:
    return CaseState(
        version_id=int(case["version_id"]),
        status=str(case["status"]),
        process=str(case["process"]),
        step=case["step"],
        category=str(case["category"]),
        center=str(case["center"]),
        office=case["office"],
        tickets=tuple(
            TicketState(
                id=int(t["id"]),
                name=str(t["name"]),
                step=str(t["step"]),
                kind=str(t["kind"]),
                center=str(t["center"]),
                office=t["office"],
                role=str(t["role"]),
            )
            for t in sorted(tickets, key=lambda t: int(t["id"]))
        ),
    )


def _case_problems(new: County, state: CaseState) -> list[str]:
    problems = []
    if state.category not in new.categories:
        problems.append(f"新版本没有案件类别「{state.category}」")
    if state.center not in new.centers:
        problems.append(f"新版本没有中心「{state.center}」")
    if state.office and state.office not in new.offices:
        problems.append(f"新版本没有承办单位「{state.office}」")
    return problems


def _place_problems(new: County, t: TicketState) -> list[str]:
    """Why nobody could hold a membership matching this ticket in the new version (the
    console refuses memberships whose center, role or office it lacks)."""
    problems = []
    if t.center not in new.centers:
        problems.append(f"新版本没有中心「{t.center}」")
    if t.role not in new.roles:
        problems.append(f"新版本没有角色「{t.role}」")
    if t.office and t.office not in new.offices:
        problems.append(f"新版本没有单位「{t.office}」")
    elif (
        t.office
        and t.center in new.centers
        and not routing.office_stationed_at(new, t.office, t.center)
    ):
        problems.append(f"单位「{t.office}」在新版本中未入驻「{t.center}」")
    return problems


def _map_ticket(new: County, process: str, t: TicketState) -> StepMapping:
    if t.kind in ("supervision", "outcome_report", "court"):  # 督办, 回告, 法院跟踪: no step
        target: str | None = t.step
        problems = []
    else:
        step = new.processes[process].steps.get(t.step)
        target = step.key if step is not None and step.kind == t.kind else None
        if step is None:
            problems = [f"新版本没有步骤「{t.step}」"]
        elif step.kind != t.kind:
            problems = [f"步骤「{t.step}」在新版本中类型不同（{step.kind}）"]
        else:
            problems = []
    problems += [f"待办单「{t.name}」：{p}" for p in _place_problems(new, t)]
    return StepMapping(t.id, t.step, target, "；".join(problems))


def _map_case(new: County, code: str, case_id: int, state: CaseState) -> CaseMapping:
    if state.process not in new.processes:
        problem = f"新版本没有流程「{state.process}」"
        return CaseMapping(code, case_id, state.version_id, (), problem, state)
    steps = tuple(_map_ticket(new, state.process, t) for t in state.tickets)
    problem = "；".join(_case_problems(new, state))
    return CaseMapping(code, case_id, state.version_id, steps, problem, state)


def _open_tickets(conn: Connection, case_id: int, *, lock: bool = False) -> list[Any]:
    query = (
        select(TICKET)
        .where(TICKET.c.case_id == case_id, TICKET.c.state.in_(OPEN_STATES))
        .order_by(TICKET.c.id)
    )
    if lock:
        query = query.with_for_update()
    return list(conn.execute(query).mappings())


def plan(engine: Engine, county_key: str, to_version: int) -> MigrationPlan:
    county_id, number = _target(engine, county_key, to_version)
    mappings = []
    with engine.connect() as conn:
        new = loading.model_of(conn, to_version)
        cases = conn.execute(
            select(CASE)
            .where(
                CASE.c.county_id == county_id,
                CASE.c.version_id != to_version,
                CASE.c.status != "closed",
            )
            .order_by(CASE.c.id)
        ).mappings()
        for case in list(cases):
            state = _state(case, _open_tickets(conn, int(case["id"])))
            mappings.append(_map_case(new, str(case["code"]), int(case["id"]), state))
    return MigrationPlan(
        county=county_key, to_version=to_version, to_number=number, cases=tuple(mappings)
    )


def _changes(before: CaseState, now: CaseState, to_version: int) -> str:
    if now.version_id == to_version:
        return "已在目标版本上"
    if now.version_id != before.version_id:
        return "已改用其他版本"
    if now.status != before.status:
        was, is_ = (STATUS.get(s, s) for s in (before.status, now.status))
        return f"状态「{was}」→「{is_}」"
    if now.step != before.step:
        return f"当前步骤「{before.step or '无'}」→「{now.step or '无'}」"
    if (now.category, now.center, now.office) != (before.category, before.center, before.office):
        return "类别、中心或承办单位已变"
    return "待办单已变"


def _move(conn: Connection, new: County, migration: MigrationPlan, planned: CaseMapping) -> None:
    """Re-read the case and its open tickets under lock, re-map them, and move the case only
    when nothing changed since the plan and it still maps; else ActionRefused."""
    # The case row first, as every write path takes it (PostgreSQL; SQLite's BEGIN IMMEDIATE
    # already serializes writers). Then the open tickets: an action that finished one without
    # holding the case yet makes us wait for its commit rather than move past it.
    locked = conn.execute(
        select(CASE).where(CASE.c.id == planned.case_id).with_for_update()
    ).mappings()
    case = locked.first()
    if case is None:
        raise ActionRefused("案件已不存在")
    _open_tickets(conn, planned.case_id, lock=True)
    state = _state(case, _open_tickets(conn, planned.case_id))  # as committed now
    fresh = _map_case(new, planned.code, planned.case_id, state)
    reasons = []
    if planned.state is None or state != planned.state:
        before = planned.state
        detail = _changes(before, state, migration.to_version) if before else "无预演记录"
        reasons.append(f"案件自预览后已变化（{detail}），请重新预演")
    if not fresh.mappable and state.status != "closed":
        reasons.append(fresh.reason)
    if reasons:
        raise ActionRefused("；".join(reasons))
    conn.execute(
        update(CASE)
        .where(CASE.c.id == planned.case_id)
        .values(version_id=migration.to_version, updated_at=utcnow())
    )
    audit.insert(
        conn,
        audit.row(
            county_id=int(case["county_id"]),
            case_id=planned.case_id,
            at=utcnow(),
            actor="迁移",
            kind="migrated",
            before={"version_id": state.version_id},
            after={"version_id": migration.to_version, "version": migration.to_number},
        ),
    )


def migrate(engine: Engine, migration: MigrationPlan) -> MigrationResult:
    """Move each mappable case in its own transaction (re-mapped from the case as it is then:
    see `_move`); refused cases are reported and left as they were."""
    refused = [(c.code, c.reason) for c in migration.refused]
    moved: list[str] = []
    with engine.connect() as conn:
        new = loading.model_of(conn, migration.to_version)
    for mapping in migration.movable:
        try:
            with writer(engine).begin() as conn:
                _move(conn, new, migration, mapping)
        except ActionRefused as exc:
            refused.append((mapping.code, exc.message))
            continue
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) not in CONFLICT_STATES:
                raise
            refused.append((mapping.code, "与同时进行的办理操作冲突，未迁移，请重新预演"))
            continue
        moved.append(mapping.code)
    return MigrationResult(moved=tuple(moved), refused=tuple(refused))
