"""The risk register (矛盾风险清单): risks that are not cases, graded on the county's colour
scale (颜色等级), owned by an office, regraded with a reason and closed (销号) with a reason.

Every change is one transaction that writes the item, a line of its history (`risk_change`)
and an audit event. Who may keep an item: a member of staff whose membership center is the
item's place or above it (a town's staff keep their villages' risks); reads are scoped alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, false, insert, select, update

from dsl.model import County
from engine import audit
from engine.errors import ActionRefused, NotFound
from engine.prevention_tables import RISK_CHANGE, RISK_ITEM

__all__ = [
    "RISK_ITEM",
    "checked_office",
    "checked_place",
    "close_item",
    "history",
    "items",
    "open_item",
    "register_text",
    "regrade",
    "risk_clause",
]
from engine.scope import Principal, below

MAX_SUBJECT = 200
MAX_TEXT = 2000


def places(county: County, principal: Principal) -> list[str] | None:
    """The places whose risks the principal keeps; None: every place (an administrator)."""
    if principal.is_admin and not principal.memberships:
        return None
    found: list[str] = []
    for m in principal.memberships:
        if m.center in county.centers:
            found.extend(c for c in below(county, m.center) if c not in found)
    return found


def risk_clause(county: County, principal: Principal) -> Any:
    allowed = places(county, principal)
    if allowed is None:
        return RISK_ITEM.c.id.is_not(None)
    return RISK_ITEM.c.place.in_(allowed) if allowed else false()


# The field checks the prevention registers share (risk items here, key persons in
# engine/key_persons.py): one wording for one mistake.
def register_text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ActionRefused(f"请填写{what}")
    if len(text) > limit:
        raise ActionRefused(f"{what}不能超过 {limit} 字（现有 {len(text)} 字）")
    return text


def checked_place(county: County, principal: Principal, place: Any) -> str:
    """A place of the county's tree inside the principal's places."""
    if place not in county.centers:
        raise ActionRefused(f"没有地点（中心）「{place}」")
    allowed = places(county, principal)
    if allowed is not None and place not in allowed:
        raise ActionRefused(f"「{place}」不在您的工作范围内")
    return str(place)


def checked_office(county: County, office: Any) -> str:
    if office not in county.offices:
        raise ActionRefused(f"没有单位「{office}」")
    return str(office)


def _grade(county: County, grade: Any) -> str:
    if grade not in county.colours:
        raise ActionRefused(f"没有风险等级「{grade}」，可选：{'、'.join(county.colours)}")
    return str(grade)


def _change(
    conn: Connection,
    county_id: int,
    item_id: int,
    principal: Principal,
    now: datetime,
    kind: str,
    note: str,
    *,
    reason: str = "",
    before: str | None = None,
    after: str | None = None,
) -> None:
    conn.execute(
        insert(RISK_CHANGE).values(
            risk_id=item_id,
            at=now,
            actor=principal.username[:100],
            kind=kind,
            from_grade=before,
            to_grade=after,
            reason=reason,
        )
    )
    audit.insert(
        conn,
        audit.row(
            county_id=county_id,
            case_id=None,
            at=now,
            actor=principal.username,
            kind=f"risk_{kind}",
            before={"risk": item_id, "grade": before} if before else None,
            after={"risk": item_id, "grade": after} if after else {"risk": item_id},
            note=note,
        ),
    )


def open_item(
    conn: Connection,
    county: County,
    county_id: int,
    principal: Principal,
    values: dict[str, Any],
    now: datetime,
) -> int:
    """Put a risk on the register (纳入管控); returns its id."""
    subject = register_text(values.get("subject"), "风险事项", MAX_SUBJECT)
    place = checked_place(county, principal, values.get("place"))
    category = values.get("category")
    if category not in county.categories:
        raise ActionRefused(f"没有事项类型「{category}」")
    office = checked_office(county, values.get("office"))
    grade = _grade(county, values.get("grade"))
    parties = register_text(values.get("parties"), "当事人", MAX_TEXT, required=False)
    item_id = conn.execute(
        insert(RISK_ITEM)
        .values(
            county_id=county_id,
            subject=subject,
            place=str(place),
            category=str(category),
            grade=grade,
            office=str(office),
            parties=parties,
            state="open",
            opened_at=now,
            opened_by=principal.username[:100],
        )
        .returning(RISK_ITEM.c.id)
    ).scalar_one()
    note = f"纳入风险清单：{subject}（{grade}，{office}负责）"
    _change(conn, county_id, int(item_id), principal, now, "opened", note, after=grade)
    return int(item_id)


def _item(
    conn: Connection, county: County, county_id: int, item_id: int, principal: Principal
) -> dict[str, Any]:
    row = (
        conn.execute(
            select(RISK_ITEM)
            .where(
                RISK_ITEM.c.id == item_id,
                RISK_ITEM.c.county_id == county_id,
                risk_clause(county, principal),
            )
            .with_for_update()
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("没有这个风险事项，或它不在您的工作范围内")
    if row["state"] != "open":
        raise ActionRefused("这个风险事项已经销号")
    return dict(row)


def regrade(
    conn: Connection,
    county: County,
    county_id: int,
    item_id: int,
    principal: Principal,
    grade: Any,
    reason: Any,
    now: datetime,
) -> None:
    """Change the grade, with the reason (both kept in the history and the audit log)."""
    item = _item(conn, county, county_id, item_id, principal)
    new = _grade(county, grade)
    why = register_text(reason, "调整等级的理由", MAX_TEXT)
    if new == item["grade"]:
        raise ActionRefused(f"风险等级已经是「{new}」")
    conn.execute(update(RISK_ITEM).where(RISK_ITEM.c.id == item_id).values(grade=new))
    note = f"{item['subject']}：风险等级 {item['grade']} → {new}，理由：{why}"
    _change(
        conn,
        county_id,
        item_id,
        principal,
        now,
        "regraded",
        note,
        reason=why,
        before=item["grade"],
        after=new,
    )


def close_item(
    conn: Connection,
    county: County,
    county_id: int,
    item_id: int,
    principal: Principal,
    reason: Any,
    now: datetime,
) -> None:
    """销号: the risk is settled; the reason is required."""
    item = _item(conn, county, county_id, item_id, principal)
    why = register_text(reason, "销号理由", MAX_TEXT)
    done = {"state": "closed", "closed_at": now, "closed_by": principal.username[:100]}
    conn.execute(
        update(RISK_ITEM).where(RISK_ITEM.c.id == item_id).values(**done, close_reason=why)
    )
    note = f"{item['subject']}：销号，理由：{why}"
    _change(
        conn, county_id, item_id, principal, now, "closed", note, reason=why, before=item["grade"]
    )


def items(
    conn: Connection, county: County, county_id: int, principal: Principal, *, open_only: bool
) -> list[dict[str, Any]]:
    query = select(RISK_ITEM).where(
        RISK_ITEM.c.county_id == county_id, risk_clause(county, principal)
    )
    if open_only:
        query = query.where(RISK_ITEM.c.state == "open")
    rows = conn.execute(query.order_by(RISK_ITEM.c.id.desc()).limit(200)).mappings()
    rank = {colour: index for index, colour in enumerate(county.colours)}
    found = [dict(row) for row in rows]
    return sorted(found, key=lambda r: (r["state"] != "open", -rank.get(r["grade"], 0), -r["id"]))


def history(conn: Connection, item_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(RISK_CHANGE).where(RISK_CHANGE.c.risk_id == item_id).order_by(RISK_CHANGE.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def open_by_grade(
    conn: Connection, county: County, county_id: int, allowed: list[str] | None
) -> list[tuple[str, int]]:
    """Risk items open now, by grade (most severe first), within `allowed` places."""
    query = select(RISK_ITEM.c.grade).where(
        RISK_ITEM.c.county_id == county_id, RISK_ITEM.c.state == "open"
    )
    if allowed is not None:
        query = query.where(RISK_ITEM.c.place.in_(allowed) if allowed else false())
    grades = [str(g) for g in conn.execute(query).scalars()]
    return [(c, grades.count(c)) for c in reversed(county.colours) if grades.count(c)]
