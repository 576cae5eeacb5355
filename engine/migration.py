"""Moving running cases to a newer definition version: a dry-run plan first, then the move.

A case maps when its process exists in the target version and every step holding one of its
open tickets exists there with the same kind; anything else is refused with the reason, and
the case stays on its version untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select, update

from dsl.model import County
from engine import audit, loading
from engine.db import utcnow, writer
from engine.errors import ActionRefused, NotFound
from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION
from engine.tables import CASE, TICKET


@dataclass(frozen=True)
class StepMapping:
    ticket_id: int
    step: str
    target: str | None  # the step in the new version; None when unmappable
    problem: str = ""


@dataclass(frozen=True)
class CaseMapping:
    code: str
    case_id: int
    from_version: int
    steps: tuple[StepMapping, ...]
    problem: str = ""  # why the whole case cannot move ("" = it can)

    @property
    def mappable(self) -> bool:
        return not self.problem and all(s.target for s in self.steps)


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


def _map_case(
    new: County, case: dict[str, object], tickets: list[dict[str, object]]
) -> CaseMapping:
    base = dict(
        code=str(case["code"]),
        case_id=int(str(case["id"])),
        from_version=int(str(case["version_id"])),
    )
    process = new.processes.get(str(case["process"]))
    if process is None:
        return CaseMapping(**base, steps=(), problem=f"新版本没有流程「{case['process']}」")  # type: ignore[arg-type]
    steps = []
    for t in tickets:
        step = process.steps.get(str(t["step"]))
        if t["kind"] == "supervision":
            steps.append(StepMapping(int(str(t["id"])), str(t["step"]), str(t["step"])))
        elif step is None:
            steps.append(
                StepMapping(
                    int(str(t["id"])), str(t["step"]), None, f"新版本没有步骤「{t['step']}」"
                )
            )
        elif step.kind != t["kind"]:
            steps.append(
                StepMapping(
                    int(str(t["id"])),
                    str(t["step"]),
                    None,
                    f"步骤「{t['step']}」在新版本中类型不同（{step.kind}）",
                )
            )
        else:
            steps.append(StepMapping(int(str(t["id"])), str(t["step"]), step.key))
    return CaseMapping(**base, steps=tuple(steps))  # type: ignore[arg-type]


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
        for case in cases:
            tickets = conn.execute(
                select(TICKET).where(
                    TICKET.c.case_id == case["id"], TICKET.c.state.in_(("open", "claimed"))
                )
            ).mappings()
            mappings.append(_map_case(new, dict(case), [dict(t) for t in tickets]))
    return MigrationPlan(
        county=county_key, to_version=to_version, to_number=number, cases=tuple(mappings)
    )


def migrate(engine: Engine, migration: MigrationPlan) -> MigrationResult:
    """Move each mappable case in its own transaction (re-checking it has not moved since the
    plan was made); refused cases are reported and left as they were."""
    moved: list[str] = []
    refused = [
        (c.code, c.problem or "；".join(s.problem for s in c.steps if s.problem))
        for c in migration.refused
    ]
    for mapping in migration.movable:
        try:
            with writer(engine).begin() as conn:
                done = conn.execute(
                    update(CASE)
                    .where(CASE.c.id == mapping.case_id, CASE.c.version_id == mapping.from_version)
                    .values(version_id=migration.to_version, updated_at=utcnow())
                )
                if done.rowcount != 1:
                    raise ActionRefused("案件在计划之后已变化，请重新预演")
                case = conn.execute(
                    select(CASE.c.county_id).where(CASE.c.id == mapping.case_id)
                ).one()
                audit.insert(
                    conn,
                    audit.row(
                        county_id=int(case.county_id),
                        case_id=mapping.case_id,
                        at=utcnow(),
                        actor="迁移",
                        kind="migrated",
                        before={"version_id": mapping.from_version},
                        after={"version_id": migration.to_version, "version": migration.to_number},
                    ),
                )

        except ActionRefused as exc:
            refused.append((mapping.code, exc.message))
            continue
        moved.append(mapping.code)
    return MigrationResult(moved=tuple(moved), refused=tuple(refused))
