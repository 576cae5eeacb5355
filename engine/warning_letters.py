"""Warning letters (预警函, issue 21.5): a 预警 rule with `预警函 K 给 O` issues a numbered letter
of kind K to office O in the transaction that raises the warning (engine.correlation's `on_raised`
hook, registered there), linked to the warning by `letter.warning_id`.

From then on the letter is an ordinary letter (engine/letters.py): the office signs for it and
answers, the worker marks it 逾期 when the reply deadline from its kind passes, and the issuing
center closes it (闭环销号). The warning's page lists it (`of_warnings`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from dsl.model import County
from engine import letters
from engine.letter_tables import LETTER

SYSTEM = "系统"
SYSTEM_USER = "system"


def _chain(county: County, center: str) -> list[str]:
    """The center and its parents up to the county's top center."""
    found: list[str] = []
    here = county.centers.get(center)
    while here is not None and here.key not in found:
        found.append(here.key)
        here = county.centers.get(here.parent or "")
    return found


def _issuer_center(county: County, issuers: tuple[str, ...], chain: list[str]) -> str:
    """The nearest center (from the warning's up) where an office holds a role that may issue
    the kind, so that someone there can close the letter; else the county's top center."""
    for key in chain:
        center = county.centers[key]
        for office in county.offices.values():
            stationed = center.level in office.levels or key in office.centers
            if stationed and any(role in office.roles for role in issuers):
                return key
    tops = [c.key for c in county.centers.values() if c.parent is None]
    return tops[0] if tops else (chain[0] if chain else "")


def issue_for_warning(conn: Connection, county: County, warning: dict[str, Any]) -> int | None:
    """Issue the rule's warning letter for a just-raised warning; None when the rule has none
    (or the office is stationed nowhere, which `yidi check` leaves possible for a new county)."""
    rule = county.warning_rules.get(str(warning["rule"]))
    if rule is None or not rule.letter:
        return None
    kind = county.letters.get(rule.letter)
    if kind is None:
        return None
    places = [
        center
        for center, office in letters.addressees(county, kind)
        if office == rule.letter_office
    ]
    if not places:
        return None
    chain = _chain(county, str(warning["center"])) + _chain(county, str(warning["town"]))
    to_center = next((c for c in chain if c in places), places[0])
    reason = f"{warning['rule_name']}（{warning['grade']}色预警）：{warning['explanation']}"
    request = letters.Issue(
        kind=kind.key, to_center=to_center, to_office=rule.letter_office, reason=reason
    )
    issuer = letters.Issuing(_issuer_center(county, kind.issuers, chain), SYSTEM_USER, SYSTEM)
    now = warning["opened_at"]
    return letters.issue_in(
        conn,
        county,
        int(warning["county_id"]),
        kind,
        issuer,
        request,
        now,
        warning_id=int(warning["id"]),
    )


def on_raised(conn: Connection, county: County, warning: dict[str, Any]) -> None:
    """The `engine.correlation.on_raised` hook."""
    issue_for_warning(conn, county, warning)


def of_warnings(conn: Connection, warning_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The letters each warning issued (for the warnings page), oldest first."""
    if not warning_ids:
        return {}
    query = (
        select(
            LETTER.c.id,
            LETTER.c.warning_id,
            LETTER.c.number,
            LETTER.c.title,
            LETTER.c.to_office,
            LETTER.c.state,
            LETTER.c.overdue,
            LETTER.c.due_at,
        )
        .where(LETTER.c.warning_id.in_(warning_ids))
        .order_by(LETTER.c.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(query).mappings():
        letter = dict(row)
        letter["state_word"] = (
            "逾期未回复"
            if row["overdue"] and row["state"] in ("issued", "signed")
            else letters.STATES[str(row["state"])]
        )
        found.setdefault(int(row["warning_id"]), []).append(letter)
    return found
