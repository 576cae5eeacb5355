"""Evaluation (评单) by the party or the center, one-time citizen links, and revisits (核单)
of all (in the chain) or a sample (per period and rule: a share or a fixed number) of closed
cases; the scheduler's revisit job (engine.revisit_job) draws the sample each period."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, literal_column, or_, select, update

from dsl.model import County, Revisit, Step
from engine import codes, driver, flow, loading
from engine import statements as sql
from engine.clock import CST
from engine.errors import ActionRefused, NotFound
from engine.flow import Move
from engine.registry import COUNTY_T as COUNTY
from engine.tables import CASE, EVENT, TOKEN


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(conn: Connection, case_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(24)
    conn.execute(
        insert(TOKEN).values(
            case_id=case_id, token_hash=digest(token), purpose="evaluation", created_at=now
        )
    )
    return token


def token_state(conn: Connection, code: str, token: str) -> str:
    """ "unused", "used" or "unknown" (no such token for that case: the same answer as an
    unknown case, so codes cannot be listed through the link)."""
    row = conn.execute(
        select(TOKEN.c.used_at)
        .join(CASE, CASE.c.id == TOKEN.c.case_id)
        .where(CASE.c.code == code, TOKEN.c.token_hash == digest(token))
    ).first()
    if row is None:
        return "unknown"
    return "unused" if row.used_at is None else "used"


def use_token(conn: Connection, case_id: int, token: str, now: datetime) -> None:
    """Spend the token (once): a guarded UPDATE, so a replayed link is refused."""
    done = conn.execute(
        update(TOKEN)
        .where(
            TOKEN.c.token_hash == digest(token),
            TOKEN.c.case_id == case_id,
            TOKEN.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if done.rowcount != 1:
        raise ActionRefused("评价链接无效或已使用")


def evaluate(
    conn: Connection,
    code: str,
    score: str,
    *,
    by: str,
    token: str | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> Move:
    """`data`: the rest of the evaluation form (意见建议), kept on the ticket with the score."""
    case, county = loading.case_by_code(conn, code)
    if by == "party" and token is not None:
        use_token(conn, int(case["id"]), token, now)
    row = driver.first(conn, sql.OPEN_EVALUATION, {"case_id": case["id"]})
    if row is None:
        raise ActionRefused(f"案件 {code} 当前不在评价环节")
    step = county.processes[str(case["process"])].step(str(row["step"]))
    rule = step.evaluation
    if rule is None:
        raise ActionRefused(f"步骤「{step.name}」没有评价规则")
    if by not in rule.by:
        raise ActionRefused(f"该环节不接受{'当事人' if by == 'party' else '中心'}评价")
    if score not in rule.scale:
        raise ActionRefused(f"评价「{score}」无效，可选：{'、'.join(rule.scale)}")
    name = "当事人" if by == "party" else "中心"
    finished = {"state": "completed", "completed_at": now, "completed_by": by}
    finished |= {"completed_name": name, "action": "评价", "data": {**(data or {}), "score": score}}
    done = driver.execute(conn, sql.FINISH_OPEN, {"where_ticket": row["id"], **finished})
    if done != 1:
        raise ActionRefused("该案件已评价")
    if step.deadline is not None and step.deadline.stages:
        driver.execute(conn, sql.DROP_ONE_TICKET_TIMERS, {"ticket_id": int(row["id"])})
    actor = "当事人" if by == "party" else by
    move = Move(conn=conn, county=county, case=case, now=now, actor=actor, batch_events=True)
    move.set(satisfaction=score)
    move.event("evaluated", ticket_id=int(row["id"]), satisfaction=score)
    after_score(move, step, score)
    flow.save(move)
    return move


def after_score(move: Move, step: Step, score: str) -> None:
    rule = step.evaluation
    assert rule is not None
    if score not in rule.low_scores:
        flow.enter(move, flow._next_of(step))
        return
    if rule.on_low == "reopen":
        move.set(reopenings=int(move.get("reopenings")) + 1, resolved=None, outcome=None)
        move.event("reopened", note=f"评价为「{score}」，重新办理", status="open")
    else:
        move.event("follow_up", note=f"评价为「{score}」，跟进办理")
    flow.enter(move, rule.target)


def sample_size(closed: int, share: float) -> int:
    """How many of `closed` cases a revisit share covers: rounded up (one case at 50% is still
    revisited), after dropping float noise (25 x 0.28 is 7.000000000000001, i.e. 7, not 8)."""
    return math.ceil(round(closed * share, 9))


def sampling_step(county: County, process: str) -> Step | None:
    """The process's verification step when it revisits a sample (a share under 100% or a
    fixed number per period), else None: at 100% the step is part of the chain and every case
    is revisited before it closes."""
    found = county.processes.get(process)
    for step in found.steps.values() if found is not None else ():
        if step.kind == "verification" and step.revisit is not None and step.revisit.sampled:
            return step
    return None


# Event kinds written into the SQL, not bound (SQLite re-prepares a bound kind on each run).
_CLOSED: Any = literal_column("'closed'")
_DRAWN: Any = literal_column("'revisit_sampled'")


def _revisited() -> Any:
    """True for a case whose latest closing has been revisited: verified, or drawn by a
    sampling after its last `closed` event (a case reopened by a failed revisit and closed
    again is due again). Event ids, not times: a reopening and a new closing may share a
    timestamp with the earlier draw."""
    closing, drawn = EVENT.alias("closing"), EVENT.alias("drawn")
    last_closed = (
        select(func.coalesce(func.max(closing.c.id), 0))
        .where(closing.c.case_id == CASE.c.id, closing.c.kind == _CLOSED)
        .correlate(CASE)  # the outer query's case (auto-correlation stops at the EXISTS)
        .scalar_subquery()
    )
    was_drawn = (
        exists()
        .where(drawn.c.case_id == CASE.c.id, drawn.c.kind == _DRAWN, drawn.c.id > last_closed)
        .correlate(CASE)
    )
    return or_(CASE.c.verified.is_(True), was_drawn)


@dataclass
class _Group:
    """The cases closed in the period under one revisit rule (process, step, share or count)."""

    rule: Revisit
    closed: int = 0  # all of them, revisited or not: the share is of these
    revisited: int = 0
    due: list[tuple[Any, County, Step]] = field(default_factory=list)  # not yet revisited

    def wanted(self) -> int:
        """How many more to draw: the rule's number for the period, less those revisited."""
        rule = self.rule
        target = sample_size(self.closed, rule.share) if rule.count is None else rule.count
        return max(0, min(target, self.closed) - self.revisited)


@dataclass
class Drawn:
    """One draw: the codes chosen now, and the cases closed in the period under its rules."""

    chosen: list[str] = field(default_factory=list)
    closed: int = 0


def draw_order(county: County, rule: str, start: datetime, end: datetime, code: str) -> str:
    """A case's place in the period's draw (lowest first): a hash of the county as its
    definition names itself (name and code prefix), the rule, the period and the case's
    number. Nothing in it changes with the folder or key a definition is published under, or
    with database ids: an identical copy of a county with the same cases draws the same ones,
    and a later top-up keeps the cases drawn before."""
    prefix = codes.prefix(county)
    number = code.removeprefix(f"{prefix}-")  # "2026-000123"
    seed = f"{county.name}|{county.code_prefix}|{rule}|{start.isoformat()}|{end.isoformat()}"
    return hashlib.sha256(f"{seed}|{number}".encode()).hexdigest()


def draw(
    conn: Connection,
    county: County,
    county_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    only: tuple[str, str] | None = None,
) -> Drawn:
    """Open revisit tickets (核单) for a sample of the cases closed in [start, end), per
    revisit rule: each process whose verification step samples gets ceil(share x its cases
    closed in the period), or the rule's fixed number (all of them when fewer closed), minus
    those already revisited; so a second run adds nothing, and a run after more cases closed
    in the period only tops the sample up. A case is drawn at most once per closing (without
    replacement). Each case follows the rule of the definition version it is pinned to;
    `county` (the current version) names the draw (draw_order). `only` = (process, step)
    limits it to one rule, as the scheduler's job for that rule does."""
    # Sampling runs of one county wait for each other (PostgreSQL; SQLite has one writer), so
    # two at once cannot both see a case as not yet drawn. FOR NO KEY UPDATE: the inserts that
    # reference the county (tickets, events) take KEY SHARE and must not wait on a sampling.
    county_row = select(COUNTY.c.id).where(COUNTY.c.id == county_id)
    conn.execute(county_row.with_for_update(key_share=True))
    query = (
        select(CASE.c.id, CASE.c.code, CASE.c.process, CASE.c.version_id)
        .add_columns(_revisited().label("revisited"))
        .where(CASE.c.county_id == county_id, CASE.c.status == "closed")
        .where(CASE.c.closed_at >= start, CASE.c.closed_at < end)
        .order_by(CASE.c.id)
    )
    if only is not None:
        query = query.where(CASE.c.process == only[0])
    models: dict[int, County] = {}
    groups: dict[tuple[str, str, Revisit], _Group] = {}
    for row in conn.execute(query).all():
        version = int(row.version_id)
        if version not in models:
            models[version] = loading.model_of(conn, version)
        step = sampling_step(models[version], str(row.process))
        if step is None or step.revisit is None or step.actor is None:
            continue  # revisited in its chain, or not at all
        if only is not None and step.key != only[1]:
            continue
        group = groups.setdefault((str(row.process), step.key, step.revisit), _Group(step.revisit))
        group.closed += 1
        if row.revisited:
            group.revisited += 1
        else:
            group.due.append((row, models[version], step))
    result = Drawn(closed=sum(g.closed for g in groups.values()))
    for (process, step_key, rule), group in groups.items():
        name = f"{process}/{step_key}/{rule.amount()}"
        ordered = sorted(
            group.due, key=lambda due: draw_order(county, name, start, end, str(due[0].code))
        )
        for row, model, step in ordered[: group.wanted()]:
            case, _ = loading.case_by_id(conn, int(row.id))
            if case["status"] != "closed":
                continue  # reopened since it was read (its revisit would find an open case)
            assert step.actor is not None  # grouped only with one
            move = Move(conn=conn, county=model, case=case, now=now, actor="系统")
            flow.open_ticket(move, step, step.actor)
            move.event("revisit_sampled", note=f"{start.astimezone(CST):%Y-%m-%d} 起的回访抽样")
            result.chosen.append(str(row.code))
    result.chosen.sort()
    return result


def sample(
    conn: Connection, county: County, county_id: int, start: datetime, end: datetime, now: datetime
) -> list[str]:
    """`draw` over every revisit rule of the county; the chosen case codes."""
    return draw(conn, county, county_id, start, end, now).chosen


def require_case(conn: Connection, code: str) -> int:
    found = conn.execute(select(CASE.c.id).where(CASE.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"没有编号为 {code} 的案件")
    return int(found)
