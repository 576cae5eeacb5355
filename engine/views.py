"""What the engine hands back: plain frozen records, no ORM objects, personal data masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def mask_phone(phone: str | None) -> str:
    """138****5678: enough to recognise, not enough to call."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id(number: str | None) -> str:
    """330902********1234: region and check digits only."""
    if not number:
        return ""
    return number[:6] + "*" * max(len(number) - 10, 0) + number[-4:] if len(number) > 10 else "****"


@dataclass(frozen=True)
class PartyView:
    name: str
    role: str
    phone: str  # masked
    id_number: str  # masked


@dataclass(frozen=True)
class TicketView:
    id: int
    step: str
    name: str
    kind: str  # task|consultation|evaluation|verification|supervision
    state: str  # open|claimed|completed|returned|cancelled
    center: str
    office: str | None
    role: str
    created_at: datetime
    due_at: datetime | None
    colour: str
    claimed_by: str | None
    completed_by: str | None
    completed_at: datetime | None
    action: str | None
    reason: str | None
    data: dict[str, Any] | None


@dataclass(frozen=True)
class CaseView:
    id: int
    code: str
    county: str
    version_id: int
    status: str  # open|suspended|closed
    process: str
    step: str | None
    level: str
    center: str
    office: str | None
    category: str
    severity: str
    location: str
    channel: str
    window: str | None
    visits: int
    received_at: datetime
    received_by: str
    due_at: datetime | None
    colour: str
    supervised: bool
    closed_at: datetime | None
    closed_on_time: bool | None
    outcome: str | None
    resolved: bool | None
    diversion: str | None
    satisfaction: str | None
    verified: bool | None
    escalations: int
    reopenings: int
    data: dict[str, Any]
    parties: tuple[PartyView, ...] = ()
    tickets: tuple[TicketView, ...] = ()

    def open_tickets(self) -> list[TicketView]:
        return [t for t in self.tickets if t.state in ("open", "claimed")]


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    kind: str  # received|completed|returned|escalated|pushed_down|suspended|...
    ticket_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str


@dataclass(frozen=True)
class ActionOption:
    key: str
    name: str
    effect: str
    target: str | None
    form: str | None  # the form name the action asks for (County.forms key)
    requires_reason: bool
    choices: tuple[str, ...] = ()  # transfer: offices; push_down: child centers


@dataclass(frozen=True)
class TicketRow:
    id: int
    case_code: str
    step: str
    name: str
    kind: str
    state: str
    center: str
    office: str | None
    role: str
    created_at: datetime
    due_at: datetime | None
    colour: str
    overdue: bool
    category: str
    severity: str
    completed_at: datetime | None = None


@dataclass(frozen=True)
class CaseRow:
    code: str
    category: str
    severity: str
    status: str
    step: str | None
    center: str
    received_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    has_next: bool


@dataclass(frozen=True)
class PublicProgress:
    """What a citizen sees with code and phone: stage and deadlines, no internal notes."""

    code: str
    status: str  # 办理中 / 已中止 / 已办结
    stage: str  # the current step's display name
    received_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    history: tuple[tuple[str, datetime], ...] = field(default_factory=tuple)  # (step name, done)
