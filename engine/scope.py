"""Who is acting, and which cases and tickets they may see: enforced in the SQL, not after.

A user sees a ticket when one of their memberships is at the ticket's center (and, when the
membership names an office, the ticket is that office's). A center role without an office also
sees every case whose current center is that center or below it (a county dispatcher sees the
towns' cases). Acting on a ticket needs a membership at its center with its role, and with
its office when the ticket is an office's (a center-level ticket such as dispatch is open to
the role whatever the membership's office).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, true

from dsl.model import County
from engine.tables import CASE, TICKET


@dataclass(frozen=True)
class Membership:
    center: str  # Center.key
    role: str  # Role.key
    office: str | None = None  # Office.key; None = a center role (dispatcher, supervisor)
    window: str | None = None  # Window.key for window staff


@dataclass(frozen=True)
class Principal:
    username: str
    display_name: str
    county: str  # County key (folder name)
    memberships: tuple[Membership, ...]
    is_admin: bool = False


def system(name: str, county: str) -> Principal:
    """An API caller or a timer acting on its own: no memberships, admin-like visibility."""
    return Principal(username=name, display_name=name, county=county, memberships=(), is_admin=True)


def below(county: County, center: str) -> list[str]:
    """The center and every center under it, from the county tree."""
    found = [center]
    index = 0
    while index < len(found):
        parent = found[index]
        found.extend(c.key for c in county.centers.values() if c.parent == parent)
        index += 1
    return found


OTHER_COUNTY = "该单不属于您所在的县区"


def in_county(principal: Principal, county: County) -> bool:
    """Is the ticket's county (its case's model) the principal's? Checked before `may_work`:
    counties may name their centers, roles and offices alike, so membership keys alone do not
    tell one county's ticket from another's."""
    return principal.county == county.key


def may_work(principal: Principal, center: str, office: str | None, role: str) -> bool:
    """May this principal act on a ticket at (center, office) for role?"""
    if principal.is_admin and not principal.memberships:
        return True
    return any(
        m.center == center and m.role == role and (not office or m.office == office)
        for m in principal.memberships
    )


def ticket_clause(principal: Principal) -> ColumnElement[bool]:
    """Tickets this principal may work on (their inbox), as a WHERE clause on `ticket`."""
    if principal.is_admin and not principal.memberships:
        return true()
    parts = [
        and_(
            TICKET.c.center == m.center,
            TICKET.c.role == m.role,
            or_(TICKET.c.office.is_(None), TICKET.c.office == m.office)
            if m.office
            else TICKET.c.office.is_(None),
        )
        for m in principal.memberships
    ]
    return or_(*parts) if parts else false()


def case_clause(principal: Principal, county: County) -> ColumnElement[bool]:
    """Cases this principal may see, as a WHERE clause on `case` (a ticket subquery for offices)."""
    if principal.is_admin:
        return true()
    parts: list[ColumnElement[bool]] = []
    for m in principal.memberships:
        here = TICKET.c.center == m.center
        if m.office:
            # their office's tickets, and the center-level tickets of their role, which
            # may_work lets them work (so they must be able to open the case)
            here = and_(
                here,
                or_(
                    TICKET.c.office == m.office,
                    and_(TICKET.c.office.is_(None), TICKET.c.role == m.role),
                ),
            )
        parts.append(CASE.c.id.in_(TICKET.select().with_only_columns(TICKET.c.case_id).where(here)))
        if not m.office and m.center in county.centers:
            parts.append(CASE.c.center.in_(below(county, m.center)))
        parts.append(CASE.c.received_center == m.center)
    return or_(*parts) if parts else false()
