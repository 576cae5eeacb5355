"""Evaluation (评单) by the party or the center, one-time citizen links, and revisits (核单)
of all or a random sample of closed cases per period."""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, literal_column, select, update

from dsl.model import County, Step
from engine import driver, flow, loading
from engine import statements as sql
from engine.errors import ActionRefused, NotFound
from engine.flow import Move
from engine.tables import CASE, TICKET, TOKEN


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
    conn: Connection, code: str, score: str, *, by: str, token: str | None, now: datetime
) -> Move:
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
    finished |= {"completed_name": name, "action": "评价", "data": {"score": score}}
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


def _verification_step(county: County, process: str) -> Step | None:
    for step in county.processes[process].steps.values():
        if step.kind == "verification" and step.revisit is not None and step.revisit.share < 1.0:
            return step
    return None


def sample(
    conn: Connection, county: County, county_id: int, start: datetime, end: datetime, now: datetime
) -> list[str]:
    """Open a revisit ticket for a random share of the cases closed in [start, end); a period
    is sampled once (a second call returns []), seeded by county and period."""
    # the kind written into the SQL, not bound (SQLite re-prepares a bound kind on each run)
    verification: Any = literal_column("'verification'")
    pending = exists().where(TICKET.c.case_id == CASE.c.id, TICKET.c.kind == verification)
    in_period = and_(
        CASE.c.county_id == county_id, CASE.c.closed_at >= start, CASE.c.closed_at < end
    )
    if conn.execute(select(CASE.c.id).where(in_period, pending).limit(1)).first() is not None:
        return []  # the period's sample is drawn once: drawing again would enlarge it
    rows = conn.execute(
        select(CASE.c.id, CASE.c.code, CASE.c.process)
        .where(CASE.c.county_id == county_id, CASE.c.status == "closed", CASE.c.verified.is_(None))
        .where(and_(CASE.c.closed_at >= start, CASE.c.closed_at < end), ~pending)
        .order_by(CASE.c.id)
    ).all()
    by_process: dict[str, list[Any]] = {}
    for row in rows:
        by_process.setdefault(row.process, []).append(row)
    chosen: list[str] = []
    rng = random.Random(f"{county.key}:{start.isoformat()}:{end.isoformat()}")
    for process, group in by_process.items():
        step = _verification_step(county, process)
        if step is None or step.actor is None or step.revisit is None:
            continue
        for row in rng.sample(group, math.ceil(len(group) * step.revisit.share)):
            case, _ = loading.case_by_id(conn, int(row.id))
            move = Move(conn=conn, county=county, case=case, now=now, actor="系统")
            flow.open_ticket(move, step, step.actor)
            move.event("revisit_sampled", note=f"{start:%Y-%m-%d} 起的回访抽样")
            chosen.append(row.code)
    return sorted(chosen)


def require_case(conn: Connection, code: str) -> int:
    found = conn.execute(select(CASE.c.id).where(CASE.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"没有编号为 {code} 的案件")
    return int(found)
