"""Letters (函件): issued with a gapless number, signed for, answered, closed (闭环销号).

Numbering: the (county, kind, year) counter row is bumped with UPDATE ... RETURNING in the
transaction that inserts the letter. Concurrent issuers queue on that row (PostgreSQL row lock,
SQLite write lock); a transaction that fails rolls its bump back with its letter, so serials
have no gaps and no duplicates (tests/letters/test_letter_numbering.py).

The reply deadline is a timer (`letter_overdue`) the worker fires: an unanswered letter is then
marked 逾期, with an event in its history and on its case's timeline. Each step is one
transaction and one `letter_event` row; a letter sent from a case also writes the case's event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Engine, and_, false, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from dsl.model import County, LetterKind
from engine import audit, letter_text, timers, versions
from engine import scope as engine_scope
from engine.calendar import calendar_for
from engine.db import write_transaction
from engine.errors import ActionRefused, NotFound
from engine.letter_tables import COUNTER, LETTER, LETTER_EVENT
from engine.scope import Principal
from engine.tables import CASE, PARTY
from engine.timers import TimerRow

CST = timezone(timedelta(hours=8))
SYSTEM = "系统"
OVERDUE_TIMER = "letter_overdue"
MAX_REASON = 1000
MAX_ANSWER = 4000
# state -> what the staff call it
STATES = {"issued": "待签收", "signed": "待回复", "answered": "已回复待销号", "closed": "已销号"}
# letter_event.kind -> its Chinese label (the letter's history; the case timeline says the same)
EVENT_WORDS = {
    "issued": "签发",
    "signed": "签收",
    "answered": "回复",
    "overdue": "逾期未回复",
    "closed": "闭环销号",
}
NOT_HERE = "没有该函件，或该函件不在您的工作范围内"


@dataclass(frozen=True)
class Issue:
    """What the issuer chose: the kind, the addressee (center and office), the reason."""

    kind: str
    to_center: str
    to_office: str
    reason: str = ""
    case_id: int | None = None
    issuer_center: str = ""  # which of the issuer's centers; "" = the first that may


# --- who may do what --------------------------------------------------------------------


def _system(principal: Principal) -> bool:
    return principal.is_admin and not principal.memberships


def issuer_centers(principal: Principal, county: County, kind: LetterKind) -> list[str]:
    """The centers at which this principal holds a role that may issue the kind."""
    if principal.county != county.key:
        return []
    if principal.is_admin and not principal.memberships:
        return [c.key for c in county.centers.values() if c.parent is None]
    found = [m.center for m in principal.memberships if m.role in kind.issuers]
    return list(dict.fromkeys(c for c in found if c in county.centers))


def issuable(principal: Principal, county: County) -> list[LetterKind]:
    return [k for k in county.letters.values() if issuer_centers(principal, county, k)]


def addressees(county: County, kind: LetterKind) -> list[tuple[str, str]]:
    """(center, office) pairs the kind may be sent to: its offices where they are stationed."""
    pairs = []
    for center in county.centers.values():
        for key in kind.addressees:
            office = county.offices.get(key)
            if office and (center.level in office.levels or center.key in office.centers):
                pairs.append((center.key, key))
    return pairs


def visible(principal: Principal, county: County, county_id: int) -> ColumnElement[bool]:
    """Letters this principal may read, as a WHERE clause: the addressee office's staff at its
    center, and the issuing roles at the issuing center (an administrator: the whole county)."""
    here = LETTER.c.county_id == county_id
    if principal.county != county.key:
        return false()
    if principal.is_admin:
        return and_(here, true())
    parts: list[ColumnElement[bool]] = []
    for m in principal.memberships:
        if m.office:
            parts.append(and_(LETTER.c.to_center == m.center, LETTER.c.to_office == m.office))
        kinds = [k.key for k in county.letters.values() if m.role in k.issuers]
        if kinds:
            parts.append(and_(LETTER.c.issuer_center == m.center, LETTER.c.kind.in_(kinds)))
    return and_(here, or_(*parts)) if parts else false()


def may_receive(principal: Principal, letter: dict[str, Any]) -> bool:
    """Sign for and answer: staff of the addressee office at the addressee center."""
    return _system(principal) or any(
        m.center == letter["to_center"] and m.office == letter["to_office"]
        for m in principal.memberships
    )


def may_close(principal: Principal, county: County, letter: dict[str, Any]) -> bool:
    """Close (销号): a role that may issue the kind, at the issuing center."""
    kind = county.letters.get(letter["kind"])
    return _system(principal) or any(
        m.center == letter["issuer_center"]
        and (m.role in kind.issuers if kind else m.office is None)
        for m in principal.memberships
    )


# --- issuing ------------------------------------------------------------------------------


def next_serial(conn: Connection, county_id: int, kind: str, year: int) -> int:
    """The kind's next serial this year, in the caller's transaction (which holds the row)."""
    where = and_(COUNTER.c.county_id == county_id, COUNTER.c.kind == kind, COUNTER.c.year == year)
    bump = COUNTER.update().where(where).values(last=COUNTER.c.last + 1).returning(COUNTER.c.last)
    found = conn.execute(bump).scalar()
    if found is not None:
        return int(found)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(COUNTER)
        .values(county_id=county_id, kind=kind, year=year, last=0)
        .on_conflict_do_nothing()
    )
    return int(conn.execute(bump).scalar_one())


def issue(engine: Engine, principal: Principal, request: Issue, now: datetime) -> int:
    """Issue one letter; returns its id. Refusals (ActionRefused) write nothing."""
    reason = request.reason.strip()
    if len(reason) > MAX_REASON:
        raise ActionRefused(f"事由不能超过 {MAX_REASON} 字（现有 {len(reason)} 字）")
    with write_transaction(engine) as conn:
        county_id, _, county = versions.current_in(conn, principal.county)
        kind = county.letters.get(request.kind)
        if kind is None:
            raise ActionRefused(f"本县区没有声明函件类型「{request.kind}」")
        centers = issuer_centers(principal, county, kind)
        if not centers:
            roles = "、".join(kind.issuers)
            raise ActionRefused(f"您的角色不能签发{kind.title}（可签发的角色：{roles}）")
        center = request.issuer_center or centers[0]
        if center not in centers:
            raise ActionRefused(f"您不能以「{center}」的名义签发{kind.title}")
        if (request.to_center, request.to_office) not in addressees(county, kind):
            raise ActionRefused(f"{kind.title}不能发往「{request.to_center} {request.to_office}」")
        case = _case(conn, principal, county, county_id, request.case_id)
        if kind.needs_case and case is None:
            raise ActionRefused(f"{kind.title}的正文引用案件信息，须从案件页签发")
        letter_id = issue_in(
            conn,
            county,
            county_id,
            kind,
            Issuing(center, principal.username, principal.display_name),
            request,
            now,
            case,
        )
    return letter_id


@dataclass(frozen=True)
class Issuing:
    """Who issues: the center, and the issuer's username and display name (系统 for the engine)."""

    center: str
    username: str
    name: str


def issue_in(
    conn: Connection,
    county: County,
    county_id: int,
    kind: LetterKind,
    issuer: Issuing,
    request: Issue,
    now: datetime,
    case: dict[str, Any] | None = None,
    warning_id: int | None = None,
) -> int:
    """Number, insert and schedule one letter in the caller's transaction (checked already);
    a 预警函 (engine/warning_letters.py) passes the warning that issues it."""
    center = issuer.center
    reason = request.reason.strip()
    due = calendar_for(county, kind.calendar).add(now, kind.reply_within)
    year = now.astimezone(CST).year
    serial = next_serial(conn, county_id, kind.key, year)
    number = letter_text.number(kind, year, serial)
    facts = _facts(county, kind, number, center, request, reason, now, due, case)
    data = case["data"] if case and isinstance(case.get("data"), dict) else {}
    values = {
        "county_id": county_id,
        "kind": kind.key,
        "title": kind.title,
        "number": number,
        "year": year,
        "serial": serial,
        "case_id": case["id"] if case else None,
        "issuer_center": center,
        "issued_by": issuer.username,
        "issued_name": issuer.name,
        "warning_id": warning_id,
        "to_center": request.to_center,
        "to_office": request.to_office,
        "reason": reason,
        "body": letter_text.body(kind, facts, data),
        "issued_at": now,
        "due_at": due,
        "state": "issued",
        "overdue": False,
    }
    letter_id = int(
        conn.execute(LETTER.insert().values(values).returning(LETTER.c.id)).scalar_one()
    )
    letter = {**values, "id": letter_id}
    note = f"发往{_office_name(county, request.to_office)}，{letter_text.chinese_date(due)}前回复"
    _event(conn, letter, "issued", issuer.name, now, note)
    timers.schedule(
        conn,
        county_id=county_id,
        case_id=None,  # the case's own timers are cancelled with it; a letter outlives that
        ticket_id=None,
        kind=OVERDUE_TIMER,
        due_at=due,
        payload={"letter": letter_id},
    )
    return letter_id


def _case(
    conn: Connection, principal: Principal, county: County, county_id: int, case_id: int | None
) -> dict[str, Any] | None:
    if case_id is None:
        return None
    query = select(CASE).where(
        CASE.c.id == case_id,
        CASE.c.county_id == county_id,
        engine_scope.case_clause(principal, county),
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("没有该案件，或该案件不在您的工作范围内")
    case = dict(row)
    names = conn.execute(
        select(PARTY.c.name).where(PARTY.c.case_id == case_id).order_by(PARTY.c.id)
    )
    case["parties"] = "、".join(str(n) for (n,) in names)
    return case


def _center_name(county: County, key: str) -> str:
    center = county.centers.get(key)
    return center.name if center else key


def _office_name(county: County, key: str | None) -> str:
    office = county.offices.get(key or "")
    return office.name if office else (key or "")


def _facts(
    county: County,
    kind: LetterKind,
    number: str,
    center: str,
    request: Issue,
    reason: str,
    now: datetime,
    due: datetime,
    case: dict[str, Any] | None,
) -> dict[str, str]:
    facts = {
        "number": number,
        "title": kind.title,
        "addressee": _office_name(county, request.to_office),
        "addressee_center": _center_name(county, request.to_center),
        "issuer_center": _center_name(county, center),
        "issued_on": letter_text.chinese_date(now),
        "due_on": letter_text.chinese_date(due),
        "reason": reason,
        "county": county.name,
    }
    if case is not None:
        facts.update(
            code=case["code"],
            case_title=case.get("title") or "",
            category=case["category"],
            severity=case["severity"],
            received_on=letter_text.chinese_date(case["received_at"]),
            parties=case.get("parties") or "",
            office=_office_name(county, case.get("office")),
            center=_center_name(county, case["center"]),
            case_due_on=letter_text.chinese_date(case["due_at"]) if case.get("due_at") else "",
        )
    return facts


# --- the steps after issuing --------------------------------------------------------------


def _event(
    conn: Connection, letter: dict[str, Any], kind: str, actor: str, now: datetime, note: str = ""
) -> None:
    conn.execute(
        LETTER_EVENT.insert().values(
            letter_id=letter["id"],
            county_id=letter["county_id"],
            at=now,
            actor=actor,
            kind=kind,
            note=note,
        )
    )
    if letter.get("case_id") is not None:  # the case's timeline says it too
        audit.insert(
            conn,
            audit.row(
                county_id=letter["county_id"],
                case_id=letter["case_id"],
                at=now,
                actor=actor,
                kind=f"letter_{kind}",
                after={"letter": letter["id"], "number": letter["number"]},
                note=f"{letter['title']} {letter['number']}" + (f"：{note}" if note else ""),
            ),
        )


def _locked(
    conn: Connection, principal: Principal, letter_id: int
) -> tuple[dict[str, Any], County]:
    county_id, _, county = versions.current_in(conn, principal.county)
    query = select(LETTER).where(LETTER.c.id == letter_id, visible(principal, county, county_id))
    row = conn.execute(query.with_for_update()).mappings().first()
    if row is None:
        raise NotFound(NOT_HERE)
    return dict(row), county


def sign(engine: Engine, principal: Principal, letter_id: int, now: datetime) -> None:
    """签收: the addressee office acknowledges the letter."""
    with write_transaction(engine) as conn:
        letter, _ = _locked(conn, principal, letter_id)
        if not may_receive(principal, letter):
            raise ActionRefused("只有收件单位的工作人员才能签收")
        if letter["state"] != "issued":
            raise ActionRefused(
                f"该函件已{EVENT_WORDS['signed']}，当前状态：{STATES[letter['state']]}"
            )
        conn.execute(
            LETTER.update()
            .where(LETTER.c.id == letter_id)
            .values(state="signed", signed_at=now, signed_by=principal.display_name)
        )
        _event(conn, letter, "signed", principal.display_name, now)


def answer(engine: Engine, principal: Principal, letter_id: int, text: str, now: datetime) -> None:
    """回复: the addressee office answers (signing for it at the same time if it had not)."""
    text = text.strip()
    if not text:
        raise ActionRefused("请填写回复内容")
    if len(text) > MAX_ANSWER:
        raise ActionRefused(f"回复内容不能超过 {MAX_ANSWER} 字（现有 {len(text)} 字）")
    with write_transaction(engine) as conn:
        letter, _ = _locked(conn, principal, letter_id)
        if not may_receive(principal, letter):
            raise ActionRefused("只有收件单位的工作人员才能回复")
        if letter["state"] not in ("issued", "signed"):
            raise ActionRefused(f"该函件已回复，当前状态：{STATES[letter['state']]}")
        values: dict[str, Any] = {
            "state": "answered",
            "answered_at": now,
            "answered_by": principal.display_name,
            "answer": text,
            "answered_on_time": now <= letter["due_at"],
        }
        if letter["state"] == "issued":
            values.update(signed_at=now, signed_by=principal.display_name)
            _event(conn, letter, "signed", principal.display_name, now)
        conn.execute(LETTER.update().where(LETTER.c.id == letter_id).values(values))
        late = "" if values["answered_on_time"] else "（逾期回复）"
        _event(conn, letter, "answered", principal.display_name, now, late)


def close(engine: Engine, principal: Principal, letter_id: int, now: datetime) -> None:
    """闭环销号: the issuing center accepts the answer and closes the letter."""
    with write_transaction(engine) as conn:
        letter, county = _locked(conn, principal, letter_id)
        if not may_close(principal, county, letter):
            raise ActionRefused("只有发文中心的签发人员才能销号")
        if letter["state"] != "answered":
            raise ActionRefused(
                f"收件单位尚未回复，不能销号（当前状态：{STATES[letter['state']]}）"
            )
        conn.execute(
            LETTER.update()
            .where(LETTER.c.id == letter_id)
            .values(state="closed", closed_at=now, closed_by=principal.display_name)
        )
        _event(conn, letter, "closed", principal.display_name, now)


def overdue(conn: Connection, row: TimerRow, now: datetime) -> None:
    """The reply deadline came: an unanswered letter is 逾期 (the timer's own transaction)."""
    letter_id = int(row.payload.get("letter") or 0)
    query = select(LETTER).where(LETTER.c.id == letter_id).with_for_update()
    found = conn.execute(query).mappings().first()
    if found is None or found["overdue"] or found["state"] not in ("issued", "signed"):
        return  # answered in time (the timer is not cancelled: this check is the rule)
    letter = dict(found)
    conn.execute(LETTER.update().where(LETTER.c.id == letter_id).values(overdue=True))
    due = letter_text.chinese_date(letter["due_at"])
    _event(conn, letter, "overdue", SYSTEM, now, f"回复期限 {due} 已过，收件单位尚未回复")


timers.register_handler(OVERDUE_TIMER, overdue)
