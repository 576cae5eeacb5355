"""Questions the engine asks of a compiled county: where a case goes, which centers are above.

Pure functions over `dsl.model`; no I/O.
"""

from __future__ import annotations

from dsl.model import Center, County, Office, Route, RouteDecision


def ancestors(county: County, center: str) -> list[Center]:
    """The center itself, then its parent, up to the top center."""
    chain: list[Center] = []
    key: str | None = center
    while key is not None:
        node = county.centers[key]
        chain.append(node)
        key = node.parent
    return chain


def center_at_level(county: County, location: str, level: str) -> Center | None:
    """The center of `level` that is `location` or above it; None when the chain lacks it."""
    for node in ancestors(county, location):
        if node.level == level:
            return node
    return None


def children(county: County, center: str) -> list[Center]:
    return [node for node in county.centers.values() if node.parent == center]


def category_matches(county: County, wanted: tuple[str, ...], category: str) -> bool:
    """A route for 婚姻家庭 matches 离婚纠纷 when 离婚纠纷's parent chain reaches 婚姻家庭."""
    if not wanted:
        return True
    key: str | None = category
    while key is not None:
        if key in wanted:
            return True
        key = county.categories[key].parent if key in county.categories else None
    return False


def _tags(county: County, location: str) -> set[str]:
    return {tag for node in ancestors(county, location) for tag in node.tags}


def route_matches(
    county: County, route: Route, category: str, severity: str, location: str
) -> bool:
    if route.severities and severity not in route.severities:
        return False
    if route.location_tags and not set(route.location_tags) & _tags(county, location):
        return False
    if center_at_level(county, location, route.level) is None:
        return False
    return category_matches(county, route.categories, category)


def route(county: County, category: str, severity: str, location: str) -> RouteDecision | None:
    """First matching route, else the fallback (kept at the receiving level); None = neither."""
    for candidate in county.routes:
        if route_matches(county, candidate, category, severity, location):
            return RouteDecision(
                level=candidate.level,
                office=candidate.office,
                process=candidate.process or county.default_process,
                route=candidate,
                response=candidate.response,
                response_mode=candidate.response_mode,
            )
    if county.fallback is None:
        return None
    level = county.fallback.level or county.centers[location].level
    return RouteDecision(
        level=level, office=county.fallback.office, process=county.default_process, route=None
    )


def office_stationed_at(county: County, office: str, center: str) -> bool:
    node: Office = county.offices[office]
    return center in node.centers or county.centers[center].level in node.levels


def office_at(
    county: County, office: str | None, category: str, severity: str, center: str
) -> str | None:
    """The office a case moved to `center` (escalated, pushed down) is handled by: its own
    where that is stationed; else the first route for the case at that center's level whose
    office is stationed there, the fallback office, or any route of that level stationed there
    (what `yidi check` assumes); None when no office there can take it."""
    if office and office in county.offices and office_stationed_at(county, office, center):
        return office
    level = county.centers[center].level
    at_level = [r for r in county.routes if r.level == level]
    candidates = [
        r.office for r in at_level if route_matches(county, r, category, severity, center)
    ]
    if county.fallback is not None:
        candidates.append(county.fallback.office)
    candidates += [r.office for r in at_level]
    for candidate in candidates:
        if candidate in county.offices and office_stationed_at(county, candidate, center):
            return candidate
    return None


def describe(county: County, route: Route | None) -> str:
    """A routing rule in the county's words, for people (not its line number):
    「事项类型 劳动争议 → 县（市、区）级 劳动人事争议仲裁委」; None: the fallback."""
    if route is None:
        fallback = county.fallback
        office = _office_name(county, fallback.office) if fallback is not None else ""
        return f"无匹配的分流规则 → 由综合受理窗口兜底（{office}）"
    parts = []
    if route.categories:
        names = (
            county.categories[c].name if c in county.categories else c for c in route.categories
        )
        parts.append("事项类型 " + "、".join(names))
    if route.severities:
        parts.append("等级 " + "、".join(route.severities))
    if route.location_tags:
        parts.append("发生地属于 " + "、".join(route.location_tags))
    level = county.levels.get(route.level)
    where = level.name if level is not None else route.level
    return f"{'，'.join(parts) or '所有事项'} → {where} {_office_name(county, route.office)}"


def _office_name(county: County, key: str) -> str:
    found = county.offices.get(key)
    return found.name if found is not None else key
