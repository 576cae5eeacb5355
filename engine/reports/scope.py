"""Which cases a viewer's figures may count: the SQL condition of their memberships.

A membership without an office sees its center and every center below it; one with an office
sees that office at exactly that center; an administrator sees the whole county. The condition
is applied in SQL to every figure, list and export, so no figure counts a case its viewer could
not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, false, or_, true

from dsl.model import County
from dsl.routing import ancestors
from engine.tables import Case


class MembershipLike(Protocol):
    """What `engine.scope.Membership` offers and reports read."""

    @property
    def center(self) -> str: ...
    @property
    def office(self) -> str | None: ...


class PrincipalLike(Protocol):
    """What `engine.scope.Principal` offers and reports read."""

    @property
    def county(self) -> str: ...
    @property
    def is_admin(self) -> bool: ...
    @property
    def memberships(self) -> Sequence[MembershipLike]: ...


def subtree(county: County, center: str) -> frozenset[str]:
    """`center` and every center below it, found by walking each center's ancestor chain."""
    return frozenset(
        key for key in county.centers if any(n.key == center for n in ancestors(county, key))
    )


@dataclass(frozen=True)
class Scope:
    """The centers (whole subtrees) and (center, office) pairs a viewer sees in one county."""

    county: County
    centers: frozenset[str]
    office_pairs: frozenset[tuple[str, str]] = frozenset()

    @property
    def whole_county(self) -> bool:
        return self.centers == frozenset(self.county.centers)

    @property
    def empty(self) -> bool:
        return not self.centers and not self.office_pairs

    @property
    def roots(self) -> list[str]:
        """The highest visible centers: those whose parent is not visible (for roll-ups)."""
        return [
            key
            for key in self.county.centers
            if key in self.centers and self.county.centers[key].parent not in self.centers
        ]

    def condition(self) -> ColumnElement[bool]:
        """SQL condition on `Case` rows; the whole county needs no center filter at all."""
        return self.condition_on(Case)

    def condition_on(self, case: Any) -> ColumnElement[bool]:
        """The same condition on another alias of the case table (in a subquery)."""
        if self.whole_county:
            return true()
        parts: list[ColumnElement[bool]] = []
        if self.centers:
            parts.append(case.center.in_(sorted(self.centers)))
        parts.extend(
            and_(case.center == center, case.office == office)
            for center, office in sorted(self.office_pairs)
        )
        return or_(*parts) if parts else false()


def scope_for(county: County, principal: PrincipalLike) -> Scope:
    """The viewer's scope in `county`; empty when they belong to another county."""
    if principal.county != county.key:
        return Scope(county, frozenset())
    if principal.is_admin:
        return Scope(county, frozenset(county.centers))
    centers: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for membership in principal.memberships:
        if membership.center not in county.centers:
            continue  # a membership left over from an older definition: sees nothing there
        if membership.office:
            pairs.add((membership.center, membership.office))
        else:
            centers |= subtree(county, membership.center)
    # an office pair inside a visible subtree is already covered
    pairs = {pair for pair in pairs if pair[0] not in centers}
    return Scope(county, frozenset(centers), frozenset(pairs))
