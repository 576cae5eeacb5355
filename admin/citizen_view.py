"""What a citizen is told about their case, in plain words: which step it is at, which office is
handling it (never a person's name), by when, and whom to call; the receipt's QR link.

The words here are the public half of the one vocabulary (admin/vocabulary.py has the staff
half): milestones only, never who did what or the notes written along the way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, Row, select
from starlette.requests import Request

from admin.scope import CASE, TICKET

OPEN = ("open", "claimed")
# Milestones a citizen may see, in the words a citizen would use ({office}: the office's name).
PUBLIC_WORDS = {
    "received": "已受理登记",
    "assigned": "改由{office}承办",
    "transferred": "转交{office}办理",
    "escalated": "提交上级中心办理",
    "pushed_down": "交由基层中心就近办理",
    "suspended": "暂停办理，办理期限顺延",
    "resumed": "恢复办理",
    "extended": "办理期限延长",
    "closed": "已办结",
    "evaluated": "您已评价",
    "reopened": "重新办理",
}
STATUS_WORDS = {"open": "办理中", "suspended": "暂停办理", "closed": "已办结"}


def office_name(model: Any, key: str | None) -> str:
    if not key:
        return ""
    office = model.offices.get(key) if model is not None else None
    return str(office.name) if office is not None else str(key)


def center_name(model: Any, key: str | None) -> str:
    if not key:
        return ""
    center = model.centers.get(key) if model is not None else None
    return str(center.name) if center is not None else str(key)


def handler(model: Any, center: str | None, office: str | None) -> str:
    """「书院街道 司法所」: the center and office at work, by their names."""
    return " ".join(p for p in (center_name(model, center), office_name(model, office)) if p)


def milestone(model: Any, kind: str, after: Any) -> str:
    office = after.get("office") if isinstance(after, dict) else None
    return PUBLIC_WORDS[kind].format(office=office_name(model, office) or "其他单位")


def open_steps(db: Engine, model: Any, case_id: int) -> list[dict[str, Any]]:
    """The steps being worked now: what, by whom (the office), by when."""
    with db.connect() as conn:
        tickets = conn.execute(
            select(TICKET.c.name, TICKET.c.step, TICKET.c.center, TICKET.c.office, TICKET.c.due_at)
            .where(TICKET.c.case_id == case_id, TICKET.c.state.in_(OPEN))
            .where(TICKET.c.kind.is_distinct_from("supervision"))
            .order_by(TICKET.c.id)
        ).all()
    return [
        {
            "what": t.name,
            "step": t.step,
            "who": handler(model, t.center, t.office),
            "due": t.due_at,
        }
        for t in tickets
    ]


def case_due(db: Engine, model: Any, case: Row[Any]) -> datetime | None:
    """The case's 办结期限; with only step deadlines, projected along its steps."""
    if case.due_at is not None or case.status == "closed" or model is None:
        return case.due_at  # type: ignore[no-any-return]
    from engine.projection import projected_due

    steps = open_steps(db, model, case.id)
    current = next((s for s in steps if s["step"] == case.step), None)
    step_due = current["due"] if current else None
    return projected_due(model, dict(case._mapping), case.step, step_due)


def contact(model: Any) -> dict[str, str]:
    if model is None:
        return {}
    found = {"address": str(model.address or ""), "phone": str(model.phone or "")}
    return found if any(found.values()) else {}


def progress_url(request: Request, code: str) -> str:
    """The progress page for this code, at the configured public address or the request's."""
    base = getattr(request.app.state.settings, "public_url", "") or str(request.base_url)
    return f"{base.rstrip('/')}/progress?code={quote(code)}"


def full_case(db: Engine, code: str) -> Row[Any] | None:
    with db.connect() as conn:
        return conn.execute(select(CASE).where(CASE.c.code == code)).first()
