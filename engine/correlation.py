"""Correlated warnings (关联预警): cases that share a party, a place or a subject, seen often
or from several channels within a window, raise one warning per cluster with a work order.

A case belongs to a cluster of a rule when it shares the rule's dimensions (`同一 当事人, 地点,
事项`): the party's normalised ID number or phone, the place (a center of the county's tree),
the category. The cluster is a SHA-256 of those identifiers (no personal data is stored in
clear here); each case is one `warning_hit` row, UNIQUE per rule, cluster and case. The only
read is this cluster's hits since the window began, on an index (county, rule, cluster,
seen_at): the cost grows with the cluster, never with the history.

Deduplicated: a partial UNIQUE index keeps one open warning per cluster; later hits attach to
it and renew its explanation. Run at intake (the window, the public form and the API push all
go through engine.intake.receive) and by the worker (engine.correlation_job), which re-reads
the cases received the day before: a backstop for two intakes of one cluster at the same
moment, each of which saw only its own hit, and for rules published after the cases came in.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite

from dsl import routing
from dsl.model import County
from dsl.prevention_model import DIMENSION_NAMES, WarningRule
from engine import audit, driver, warning_letters
from engine.errors import ActionRefused, NotFound
from engine.prevention_tables import WARNING, WARNING_HIT
from engine.scope import Principal, may_work

FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")

# Hook for the 风险预警函 (risk warning letter, built on another branch): each function runs in
# the transaction that raised the warning, with the county and the new warning row, and may
# issue a letter to the owning office. Register with `on_raised`.
RAISED: list[Callable[[Connection, County, dict[str, Any]], None]] = []


def on_raised(hook: Callable[[Connection, County, dict[str, Any]], None]) -> None:
    RAISED.append(hook)


on_raised(warning_letters.on_raised)  # 预警函 K 给 O (issue 21.5)


# --- normalised identifiers ---------------------------------------------------------------------


def id_number(text: Any) -> str | None:
    """A resident ID number as one form: ASCII digits, upper-case X, no spaces; 15 or 18 long."""
    if not isinstance(text, str):
        return None
    value = "".join(text.translate(FULL_WIDTH).split()).upper()
    ok = (
        len(value) in (15, 18)
        and value[:-1].isdigit()
        and (value[-1].isdigit() or value[-1] == "X")
    )
    return value if ok else None


def phone(text: Any) -> str | None:
    """A phone number's digits, without +86 / 0086 and separators; None when too short."""
    if not isinstance(text, str):
        return None
    digits = "".join(ch for ch in text.translate(FULL_WIDTH) if ch.isdigit() and ch.isascii())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
    return digits if len(digits) >= 7 else None


def party_keys(parties: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for party in parties:
        for key in (
            f"id:{id_number(party.get('id_number'))}",
            f"phone:{phone(party.get('phone'))}",
        ):
            if not key.endswith(":None") and key not in found:
                found.append(key)
    return found


def clusters(rule: WarningRule, case: dict[str, Any], parties: list[dict[str, Any]]) -> list[str]:
    """The cluster hashes of this case under `rule` (several when a party has two identifiers
    or the case has several parties; none when a party rule finds no identifier)."""
    values: list[list[str]] = []
    for dimension in rule.same:
        if dimension == "party":
            values.append(party_keys(parties))
        elif dimension == "place":
            values.append([f"place:{case['location']}"])
        else:
            values.append([f"category:{case['category']}"])
    return [
        hashlib.sha256("|".join((rule.key, *combo)).encode("utf-8")).hexdigest()
        for combo in itertools.product(*values)
    ]


# --- correlation ----------------------------------------------------------------------------------


def explain(county: County, rule: WarningRule, by_channel: dict[str, int]) -> str:
    """「同一当事人 30 天内第 5 次，来源：12345×3、网格×2」"""
    total = sum(by_channel.values())
    same = "、".join(DIMENSION_NAMES[d] for d in rule.same)
    ordered = sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    sources = "、".join(
        f"{county.channels[c].name if c in county.channels else c}×{n}" for c, n in ordered
    )
    text = f"同一{same} {rule.days} 天内第 {total} 次，来源：{sources}"
    if rule.sources and len(by_channel) >= rule.sources:
        text += f"（{len(by_channel)} 个渠道）"
    return text


@dataclass(frozen=True)
class Raised:
    warning_id: int
    new: bool  # False: the hit attached to the cluster's open warning
    explanation: str


def correlate(
    conn: Connection,
    county: County,
    county_id: int,
    case: dict[str, Any],
    parties: list[dict[str, Any]],
    *,
    actor: str,
    now: datetime,
    recheck: bool = False,
) -> list[Raised]:
    """Record the case's hits under every rule and raise or renew the warnings they call for.
    `recheck` (the worker): evaluate clusters even when the hit was recorded before."""
    raised: list[Raised] = []
    for rule in county.warning_rules.values():
        for cluster in clusters(rule, case, parties):
            if _hit(conn, county_id, rule, cluster, case) or recheck:
                found = _evaluate(conn, county, county_id, rule, cluster, case, actor, now)
                if found is not None:
                    raised.append(found)
    return raised


def _dialect(conn: Connection) -> Any:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


# The hot path (every intake, every rule): statements built once and run on the driver
# (engine/driver.py), as intake's own statements are; building them on each call cost more
# than running them.
_HIT_COLUMNS = ("county_id", "rule", "cluster", "case_id", "channel", "seen_at")
INSERT_HIT = {
    name: dialect.insert(WARNING_HIT)
    .values({column: bindparam(column) for column in _HIT_COLUMNS})
    .on_conflict_do_nothing()
    .returning(WARNING_HIT.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
CLUSTER_COUNTS = (
    select(WARNING_HIT.c.channel, func.count())
    .where(
        WARNING_HIT.c.county_id == bindparam("county_id"),
        WARNING_HIT.c.rule == bindparam("rule"),
        WARNING_HIT.c.cluster == bindparam("cluster"),
        WARNING_HIT.c.seen_at > bindparam("since"),
        WARNING_HIT.c.seen_at <= bindparam("at"),
    )
    .group_by(WARNING_HIT.c.channel)
)


_RENEWED = ("hits", "sources", "explanation", "last_hit_at", "category")
RENEW_WARNING = (
    update(WARNING)
    .where(
        WARNING.c.county_id == bindparam("w_county"),
        WARNING.c.rule == bindparam("w_rule"),
        WARNING.c.cluster == bindparam("w_cluster"),
        WARNING.c.state == "open",
    )
    .values({column: bindparam(column) for column in _RENEWED})
    .returning(WARNING.c.id)
)
# Literal, not a bound value: PostgreSQL infers the partial unique index from the predicate
# only when it is written out (a parameter there matches no index once psycopg prepares the
# statement on the server, from its fifth run on a connection).
OPEN_PREDICATE = sql_text("state = 'open'")
_WARNING_COLUMNS = (
    *("county_id", "rule", "rule_name", "cluster", "grade", "state", "center", "role"),
    *("town", "opened_at", *_RENEWED),
)
INSERT_WARNING = {
    name: dialect.insert(WARNING)
    .values({column: bindparam(column) for column in _WARNING_COLUMNS})
    .on_conflict_do_nothing(
        index_elements=["county_id", "rule", "cluster"], index_where=OPEN_PREDICATE
    )
    .returning(WARNING.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
ATTACH_HITS = (
    update(WARNING_HIT)
    .where(
        WARNING_HIT.c.county_id == bindparam("h_county"),
        WARNING_HIT.c.rule == bindparam("h_rule"),
        WARNING_HIT.c.cluster == bindparam("h_cluster"),
        WARNING_HIT.c.seen_at > bindparam("h_since"),
        WARNING_HIT.c.seen_at <= bindparam("h_at"),
        WARNING_HIT.c.warning_id.is_(None),
    )
    .values(warning_id=bindparam("warning"))
)


def _hit(
    conn: Connection, county_id: int, rule: WarningRule, cluster: str, case: dict[str, Any]
) -> bool:
    row = {
        "county_id": county_id,
        "rule": rule.key,
        "cluster": cluster,
        "case_id": case["id"],
        "channel": case["channel"],
        "seen_at": case["received_at"],
    }
    return driver.scalar(conn, INSERT_HIT[conn.dialect.name], row) is not None


def _evaluate(
    conn: Connection,
    county: County,
    county_id: int,
    rule: WarningRule,
    cluster: str,
    case: dict[str, Any],
    actor: str,
    now: datetime,
) -> Raised | None:
    at = case["received_at"]
    since = at - timedelta(days=rule.days)
    keys = {"county_id": county_id, "rule": rule.key, "cluster": cluster}
    counts = driver.tuples(conn, CLUSTER_COUNTS, {**keys, "since": since, "at": at})
    by_channel = {str(channel): int(n) for channel, n in counts}
    total = sum(by_channel.values())
    fired = (rule.times is not None and total >= rule.times) or (
        rule.sources is not None and len(by_channel) >= rule.sources
    )
    if not fired:
        return None
    text = explain(county, rule, by_channel)
    renewed = {
        "hits": total,
        "sources": by_channel,
        "explanation": text,
        "last_hit_at": at,
        "category": case["category"],
    }
    warning_id, new = _open_warning(conn, county, county_id, rule, cluster, case, renewed, now)
    window = {"h_county": county_id, "h_rule": rule.key, "h_cluster": cluster}
    driver.run(conn, ATTACH_HITS, {**window, "h_since": since, "h_at": at, "warning": warning_id})
    kind = "warning_raised" if new else "warning_hit"
    note = f"{rule.name}（{rule.grade}色预警）：{text}"
    audit.insert(
        conn,
        audit.row(
            county_id=county_id,
            case_id=case["id"],
            at=now,
            actor=actor,
            kind=kind,
            after={"warning": warning_id, "grade": rule.grade},
            note=note,
        ),
    )
    if new and RAISED:
        row = conn.execute(select(WARNING).where(WARNING.c.id == warning_id)).mappings().one()
        for hook in RAISED:
            hook(conn, county, dict(row))
    return Raised(warning_id, new, text)


def _open_warning(
    conn: Connection,
    county: County,
    county_id: int,
    rule: WarningRule,
    cluster: str,
    case: dict[str, Any],
    renewed: dict[str, Any],
    now: datetime,
) -> tuple[int, bool]:
    """The cluster's open warning, renewed; or a new one (the partial UNIQUE index decides
    between two transactions raising it at once: the second renews the first's)."""
    keys = {"w_county": county_id, "w_rule": rule.key, "w_cluster": cluster}
    found = driver.scalar(conn, RENEW_WARNING, {**keys, **renewed})
    if found is not None:  # the common case once a cluster warns: one statement
        return int(found), False
    location = str(case["location"])
    target = routing.center_at_level(county, location, rule.level)
    ranks = sorted(county.levels.values(), key=lambda level: level.rank)
    town = routing.center_at_level(county, location, ranks[min(1, len(ranks) - 1)].key)
    row = {
        "county_id": county_id,
        "rule": rule.key,
        "rule_name": rule.name,
        "cluster": cluster,
        "grade": rule.grade,
        "state": "open",
        "center": target.key if target else location,
        "role": rule.role,
        "town": town.key if town else location,
        "opened_at": now,
        **renewed,
    }
    created = driver.scalar(conn, INSERT_WARNING[conn.dialect.name], row)
    if created is not None:
        return int(created), True
    # another transaction raised it since: renew theirs
    return int(driver.scalar(conn, RENEW_WARNING, {**keys, **renewed})), False


# --- the work order -------------------------------------------------------------------------------


def warning_clause(principal: Principal) -> Any:
    """Warnings whose work order this principal may work (their center and role)."""

    if principal.is_admin and not principal.memberships:
        return WARNING.c.id.is_not(None)
    parts = [
        and_(WARNING.c.center == m.center, WARNING.c.role == m.role) for m in principal.memberships
    ]
    return or_(*parts) if parts else false()


def close(
    conn: Connection,
    county_id: int,
    warning_id: int,
    principal: Principal,
    note: str,
    now: datetime,
) -> None:
    """Close the work order with what was done (处置情况); the cluster may warn again later."""
    row = (
        conn.execute(
            select(WARNING)
            .where(WARNING.c.id == warning_id, WARNING.c.county_id == county_id)
            .with_for_update()
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("没有这条预警")
    if not may_work(principal, row["center"], None, row["role"]):
        raise ActionRefused("这条预警工单不是派给您的")
    if row["state"] != "open":
        raise ActionRefused("这条预警已经办结")
    text = note.strip()
    if not text:
        raise ActionRefused("请填写处置情况")
    if len(text) > 2000:
        raise ActionRefused("处置情况不能超过 2000 字")
    done = {
        "state": "closed",
        "closed_at": now,
        "closed_by": principal.username[:100],
        "note": text,
    }
    conn.execute(update(WARNING).where(WARNING.c.id == warning_id).values(**done))
    audit.insert(
        conn,
        audit.row(
            county_id=county_id,
            case_id=None,
            at=now,
            actor=principal.username,
            kind="warning_closed",
            after={"warning": warning_id},
            note=f"{row['rule_name']}：{text}",
        ),
    )
