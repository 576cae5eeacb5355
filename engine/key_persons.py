"""The key-person register (重点人员): people the county watches with care, each with a category
of the county's, an office responsible, and a visit (走访) cadence; a person not visited within
one cadence period is overdue.

Personal data (ID number, phone, address) is shown in full only to the office responsible for
the person and to the roles the county names in `可见` (default: the top center's 负责人);
everyone else in scope sees it masked. Every full read writes an audit event, so who looked at
whom can be answered later. Reads and writes are scoped to the principal's places, as the risk
register's are.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, false, insert, or_, select, update

from dsl.model import County
from dsl.prevention_model import KeyPersonRules
from engine import audit
from engine.errors import ActionRefused, NotFound
from engine.key_person_tables import KEY_PERSON, KEY_PERSON_VISIT
from engine.prevention_tables import RISK_ITEM
from engine.risks import checked_office, checked_place, places, register_text, risk_clause
from engine.scope import Principal, below
from engine.tables import CASE, PARTY
from forms.formats import check_id_number
from forms.stdformats import FormatProblem

# A visit older than this is overdue. Whole days, so "每月" is 30 days after the last visit
# (or after the person was put on the register), not the calendar month.
CADENCE_DAYS = {"day": 1, "week": 7, "half_month": 15, "month": 30}
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
MAX_NAME = 100
MAX_ADDRESS = 200
MAX_TEXT = 2000
LINK_LIMIT = 50


def rules(county: County) -> KeyPersonRules:
    if county.key_persons is None:
        raise ActionRefused(f"{county.name}没有声明重点人员（重点人员 类别 … {{ 走访 每月 }}）")
    return county.key_persons


def _clause(county: County, principal: Principal) -> Any:
    allowed = places(county, principal)
    if allowed is None:
        return KEY_PERSON.c.id.is_not(None)
    return KEY_PERSON.c.place.in_(allowed) if allowed else false()


def sees_full(county: County, principal: Principal, person: dict[str, Any]) -> bool:
    """The office responsible for the person (at the person's place or above it), or a role the
    county names in `可见` at a center of that level above the person's place."""
    seers = set(rules(county).full_view)
    for m in principal.memberships:
        center = county.centers.get(m.center)
        if center is None or person["place"] not in below(county, m.center):
            continue
        if m.office is not None and m.office == person["office"]:
            return True
        if (m.role, center.level) in seers:
            return True
    return False


def mask(value: str) -> str:
    """An ID number or phone with only its first 3 and last 4 characters shown."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def masked(person: dict[str, Any]) -> dict[str, Any]:
    return {
        **person,
        "id_number": mask(person["id_number"]),
        "phone": mask(person["phone"]),
        "address": "（已隐藏）" if person["address"] else "",
        "masked": True,
    }


def _checked(county: County, principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    """The new person's fields, every one checked before anything is written."""
    kept = rules(county)
    name = register_text(values.get("name"), "姓名", MAX_NAME)
    id_number = register_text(values.get("id_number"), "身份证号", 18, required=False).upper()
    phone = register_text(values.get("phone"), "联系电话", 20, required=False)
    try:  # the same checks as the intake form's, so that register and parties match
        if id_number:
            check_id_number(id_number)
        if phone and not PHONE.match(phone):
            raise FormatProblem("联系电话应为 11 位手机号或带区号的固定电话")
    except FormatProblem as problem:
        raise ActionRefused(str(problem)) from None
    if not (id_number or phone):
        raise ActionRefused("身份证号和联系电话至少填写一项（用于关联案件）")
    place = checked_place(county, principal, values.get("place"))
    category = values.get("category")
    if category not in kept.categories:
        raise ActionRefused(f"没有重点人员类别「{category}」，可选：{'、'.join(kept.categories)}")
    office = checked_office(county, values.get("office"))
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "address": register_text(values.get("address"), "住址", MAX_ADDRESS, required=False),
        "place": str(place),
        "category": str(category),
        "office": str(office),
        "note": register_text(values.get("note"), "备注", MAX_TEXT, required=False),
    }


def _audit(
    conn: Connection, county_id: int, principal: Principal, now: datetime, kind: str, **info: Any
) -> None:
    note = info.pop("note")
    audit.insert(
        conn,
        audit.row(
            county_id=county_id,
            case_id=None,
            at=now,
            actor=principal.username,
            kind=kind,
            after=info,
            note=note,
        ),
    )


def add(
    conn: Connection,
    county: County,
    county_id: int,
    principal: Principal,
    values: dict[str, Any],
    now: datetime,
) -> int:
    """Put a person on the register; returns the id. The audit note names no personal data."""
    fields = _checked(county, principal, values)
    person_id = int(
        conn.execute(
            insert(KEY_PERSON)
            .values(county_id=county_id, added_at=now, added_by=principal.username[:100], **fields)
            .returning(KEY_PERSON.c.id)
        ).scalar_one()
    )
    note = f"登记重点人员第 {person_id} 号（{fields['category']}，{fields['office']}负责）"
    _audit(conn, county_id, principal, now, "key_person_added", person=person_id, note=note)
    return person_id


def _person(
    conn: Connection, county: County, county_id: int, principal: Principal, person_id: int
) -> dict[str, Any]:
    row = (
        conn.execute(
            select(KEY_PERSON).where(
                KEY_PERSON.c.id == person_id,
                KEY_PERSON.c.county_id == county_id,
                _clause(county, principal),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("没有这位重点人员，或其不在您的工作范围内")
    return dict(row)


def visit(
    conn: Connection,
    county: County,
    county_id: int,
    principal: Principal,
    person_id: int,
    note: Any,
    now: datetime,
) -> None:
    """Record a visit (走访): what was found is required; the person is no longer overdue."""
    rules(county)
    person = _person(conn, county, county_id, principal, person_id)
    found = register_text(note, "走访情况", MAX_TEXT)
    by = principal.username[:100]
    conn.execute(insert(KEY_PERSON_VISIT).values(person_id=person_id, at=now, by=by, note=found))
    conn.execute(update(KEY_PERSON).where(KEY_PERSON.c.id == person_id).values(last_visit_at=now))
    note_text = f"走访重点人员第 {person_id} 号（{person['category']}）"
    _audit(conn, county_id, principal, now, "key_person_visited", person=person_id, note=note_text)


def due_at(county: County, person: dict[str, Any]) -> datetime:
    since: datetime = person["last_visit_at"] or person["added_at"]
    return since + timedelta(days=CADENCE_DAYS[rules(county).cadence])


def register(
    conn: Connection, county: County, county_id: int, principal: Principal, now: datetime
) -> list[dict[str, Any]]:
    """The register as the principal may see it: always masked (a list is not a full read),
    each row with its visit due time and whether it is overdue; overdue rows first."""
    rules(county)
    rows = conn.execute(
        select(KEY_PERSON)
        .where(KEY_PERSON.c.county_id == county_id, _clause(county, principal))
        .order_by(KEY_PERSON.c.id)
        .limit(500)
    ).mappings()
    found = []
    for row in rows:
        person = masked(dict(row))
        person["due_at"] = due_at(county, person)
        person["overdue"] = person["due_at"] < now
        found.append(person)
    return sorted(found, key=lambda p: (not p["overdue"], p["due_at"], p["id"]))


def _linked_cases(conn: Connection, county_id: int, person: dict[str, Any]) -> list[dict[str, Any]]:
    """Cases with a party of the same ID number or phone (exact match on what was stored)."""
    same = [PARTY.c.id_number == person["id_number"]] if person["id_number"] else []
    if person["phone"]:
        same.append(PARTY.c.phone == person["phone"])
    if not same:
        return []
    ids = select(PARTY.c.case_id).where(or_(*same))
    rows = conn.execute(
        select(CASE.c.id, CASE.c.code, CASE.c.category, CASE.c.status, CASE.c.received_at)
        .where(CASE.c.county_id == county_id, CASE.c.id.in_(ids))
        .order_by(CASE.c.received_at.desc())
        .limit(LINK_LIMIT)
    ).mappings()
    return [dict(row) for row in rows]


def _linked_risks(
    conn: Connection, county: County, county_id: int, principal: Principal, person: dict[str, Any]
) -> list[dict[str, Any]]:
    """Risk items whose parties, as written, name the person's ID number, phone or name."""
    keys = [k for k in (person["id_number"], person["phone"], person["name"]) if k]
    rows = conn.execute(
        select(RISK_ITEM.c.id, RISK_ITEM.c.subject, RISK_ITEM.c.grade, RISK_ITEM.c.state)
        .where(
            RISK_ITEM.c.county_id == county_id,
            risk_clause(county, principal),
            or_(*(RISK_ITEM.c.parties.contains(k, autoescape=True) for k in keys)),
        )
        .order_by(RISK_ITEM.c.id.desc())
        .limit(LINK_LIMIT)
    ).mappings()
    return [dict(row) for row in rows]


def record(
    conn: Connection,
    county: County,
    county_id: int,
    principal: Principal,
    person_id: int,
    now: datetime,
) -> dict[str, Any]:
    """One person's record with visits, linked cases and risk items. In full (and audited)
    for those who may see it; masked otherwise."""
    rules(county)
    person = _person(conn, county, county_id, principal, person_id)
    full = sees_full(county, principal, person)
    result = dict(person) if full else masked(person)
    result["masked"] = not full
    result["due_at"] = due_at(county, person)
    result["overdue"] = result["due_at"] < now
    result["visits"] = [
        dict(row)
        for row in conn.execute(
            select(KEY_PERSON_VISIT)
            .where(KEY_PERSON_VISIT.c.person_id == person_id)
            .order_by(KEY_PERSON_VISIT.c.id.desc())
        ).mappings()
    ]
    result["cases"] = _linked_cases(conn, county_id, person)
    result["risks"] = _linked_risks(conn, county, county_id, principal, person)
    if full:
        note = f"查看重点人员第 {person_id} 号完整信息（{person['category']}）"
        _audit(conn, county_id, principal, now, "key_person_read", person=person_id, note=note)
    return result
