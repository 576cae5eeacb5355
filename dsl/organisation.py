"""The organisation of a county: levels, centers, roles, offices, studios, windows, classification.

Each function walks the declarations of one kind (with the file each came from), reports every
problem and returns what is valid, so later passes can go on checking references.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from dsl import syntax as s
from dsl.context import CATEGORY, CENTER, LEVEL, OFFICE, ROLE, Context
from dsl.model import (
    Category,
    Center,
    Channel,
    Level,
    Office,
    Role,
    Severity,
    Stationing,
    StationingMode,
    Studio,
    Window,
)
from dsl.online import check_online_channel

T = TypeVar("T")
Located = list[tuple[str, T]]

WEEKDAYS = {
    "周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6, "周日": 7, "周天": 7,
    "星期一": 1, "星期二": 2, "星期三": 3, "星期四": 4, "星期五": 5, "星期六": 6, "星期日": 7,
    "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
}  # fmt: skip


def walk(ctx: Context, items: Located[T]) -> Iterator[T]:
    """Each declaration, with `ctx.path` set to the file it came from."""
    for path, item in items:
        ctx.path = path
        yield item


def levels(ctx: Context, decls: Located[s.LevelsDecl]) -> dict[str, Level]:
    found: dict[str, Level] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        for item in decl.items:
            if ctx.unique(item.name, seen, LEVEL):
                found[str(item.name)] = Level(
                    str(item.name), str(item.label or item.name), len(found)
                )
    return found


def centers(
    ctx: Context, decls: Located[s.CenterDecl], level_table: dict[str, Level]
) -> dict[str, Center]:
    found: dict[str, Center] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, CENTER):
            continue
        if decl.level is None:
            ctx.report(
                decl.name, f"中心「{decl.name}」缺少层级", f"center '{decl.name}' has no level"
            )
        ok = ctx.known(decl.level, level_table, LEVEL)
        found[str(decl.name)] = Center(
            str(decl.name),
            str(decl.label or decl.name),
            str(decl.level) if ok else "",
            str(decl.parent) if decl.parent else None,
            frozenset(str(t) for t in decl.tags),
        )
    _check_parents(ctx, decls, found, level_table)
    return found


def _check_parents(
    ctx: Context,
    decls: Located[s.CenterDecl],
    table: dict[str, Center],
    level_table: dict[str, Level],
) -> None:
    roots = []
    for decl in walk(ctx, decls):
        if decl.parent is None:
            roots.append(decl)
            continue
        if not ctx.known(decl.parent, table, CENTER):
            continue
        child, parent = table.get(decl.name), table[decl.parent]
        if child is None or not child.level or not parent.level:
            continue
        if level_table[parent.level].rank >= level_table[child.level].rank:
            ctx.report(
                decl.parent,
                f"上级中心「{decl.parent}」（{parent.level}）须比「{decl.name}」（{child.level}）层级高",
                f"parent center '{decl.parent}' ({parent.level}) must be above "
                f"'{decl.name}' ({child.level})",
            )
    if len(roots) > 1:
        for decl in roots[1:]:
            ctx.path = next(p for p, d in decls if d is decl)
            ctx.report(
                decl.name,
                f"只能有一个最高层中心，「{decl.name}」缺少上级（最高层中心是「{roots[0].name}」）",
                f"only one top center is allowed; '{decl.name}' has no parent "
                f"(the top center is '{roots[0].name}')",
            )


def roles(ctx: Context, decls: Located[s.RolesDecl]) -> dict[str, Role]:
    found: dict[str, Role] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        for item in decl.items:
            if ctx.unique(item.name, seen, ROLE):
                found[str(item.name)] = Role(str(item.name), str(item.label or item.name))
    return found


def _stationing(ctx: Context, decl: s.OfficeDecl) -> Stationing:
    node = decl.stationing
    if node is None:
        return Stationing("resident")
    days = []
    for day in node.weekdays:
        number = WEEKDAYS.get(str(day).lower())
        if number is None:
            ctx.known(day, WEEKDAYS, ("星期", "weekday"))
        else:
            days.append(number)
    if node.mode == "rotating" and not node.weekdays:
        ctx.report(node.at, "轮驻须写明星期，如：轮驻 周二, 周四", "rotating needs weekdays")
    elif node.mode == "rotating" and days and all(day > 5 for day in days):
        # Its deadlines count its stationed working days: weekends never are (bar a rare
        # make-up day), so no deadline of its work could ever run out.
        named = "、".join(str(day) for day in node.weekdays)
        ctx.report(
            node.at,
            f"单位「{decl.name}」轮驻 {named}：这些日子不是县日历的普通工作日（周一至周五），"
            "该单位的时限按驻点的工作日计算，永远算不出到期时间；请至少写一个周一至周五的驻点日",
            f"office '{decl.name}' rotates on {named} only, never an ordinary working day "
            "(Monday to Friday) of the county calendar, so its deadlines could never run out",
        )
    mode: StationingMode = node.mode  # type: ignore[assignment]  # the grammar's three modes
    return Stationing(mode, tuple(sorted(set(days))))


def offices(
    ctx: Context,
    decls: Located[s.OfficeDecl],
    tables: dict[str, dict[str, object]],
) -> dict[str, Office]:
    found: dict[str, Office] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, OFFICE):
            continue
        for role in decl.roles:
            ctx.known(role, tables["roles"], ROLE)
        for level in decl.levels:
            ctx.known(level, tables["levels"], LEVEL)
        for center in decl.centers:
            ctx.known(center, tables["centers"], CENTER)
        if not decl.levels and not decl.centers:
            ctx.report(
                decl.name,
                f"单位「{decl.name}」须写明入驻的层级或中心",
                f"office '{decl.name}' must say at which levels or centers it is stationed",
            )
        found[str(decl.name)] = Office(
            str(decl.name),
            str(decl.label or decl.name),
            tuple(str(r) for r in decl.roles),
            _stationing(ctx, decl),
            tuple(str(x) for x in decl.levels),
            tuple(str(x) for x in decl.centers),
            str(decl.kind or ""),
            _contact(ctx, decl),
        )
    return found


def _contact(ctx: Context, decl: s.OfficeDecl) -> str:
    """`联系 "…"` is read where the office must be called in: on call or rotating."""
    if decl.contact is None:
        return ""
    mode = decl.stationing.mode if decl.stationing is not None else "resident"
    if mode == "resident":
        ctx.report(
            decl.contact,
            f"单位「{decl.name}」常驻中心，不需要通知到场：「联系」只对随叫随驻、轮驻的单位起作用",
            f"office '{decl.name}' is resident: 'contact' applies to on-call or rotating offices",
        )
    return str(decl.contact)[1:-1].strip()


def studios(
    ctx: Context, decls: Located[s.StudioDecl], tables: dict[str, dict[str, object]]
) -> dict[str, Studio]:
    found: dict[str, Studio] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, ("工作室", "studio")):
            continue
        if decl.office is None:
            ctx.missing(decl.name, f"工作室「{decl.name}」的所属单位", f"office of '{decl.name}'")
        if decl.mediator is None:
            ctx.missing(decl.name, f"工作室「{decl.name}」的主理人", f"mediator of '{decl.name}'")
        ctx.known(decl.office, tables["offices"], OFFICE)
        if decl.center is not None:
            ctx.known(decl.center, tables["centers"], CENTER)
        found[str(decl.name)] = Studio(
            str(decl.name),
            str(decl.label or decl.name),
            str(decl.office or ""),
            str(decl.center) if decl.center else None,
            str(decl.mediator or ""),
        )
    return found


def windows(
    ctx: Context, decls: Located[s.WindowDecl], tables: dict[str, dict[str, object]]
) -> dict[str, Window]:
    found: dict[str, Window] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, ("窗口", "window")):
            continue
        if not decl.offices:
            ctx.missing(decl.name, f"窗口「{decl.name}」的值守单位", f"offices of '{decl.name}'")
        for office in decl.offices:
            ctx.known(office, tables["offices"], OFFICE)
        for level in decl.levels:
            ctx.known(level, tables["levels"], LEVEL)
        for center in decl.centers:
            ctx.known(center, tables["centers"], CENTER)
        found[str(decl.name)] = Window(
            str(decl.name),
            str(decl.label or decl.name),
            decl.universal,
            tuple(str(o) for o in decl.offices),
            tuple(str(x) for x in decl.levels),
            tuple(str(x) for x in decl.centers),
        )
    return found


def categories(ctx: Context, decls: Located[s.CategoriesDecl]) -> dict[str, Category]:
    found: dict[str, Category] = {}
    seen: dict[str, tuple[str, int]] = {}

    def add(node: s.CategoryDecl, parent: str | None) -> None:
        if ctx.unique(node.name, seen, CATEGORY):
            found[str(node.name)] = Category(str(node.name), str(node.label or node.name), parent)
        for child in node.children:
            add(child, str(node.name))

    for decl in walk(ctx, decls):
        for item in decl.items:
            add(item, None)
    return found


def severities(ctx: Context, decls: Located[s.SeveritiesDecl]) -> dict[str, Severity]:
    found: dict[str, Severity] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        for item in decl.items:
            if ctx.unique(item.name, seen, ("等级", "severity grade")):
                found[str(item.name)] = Severity(
                    str(item.name), str(item.label or item.name), len(found)
                )
    return found


def channels(ctx: Context, decls: Located[s.ChannelsDecl]) -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        for item in decl.items:
            if ctx.unique(item.name, seen, ("渠道", "channel")):
                found[str(item.name)] = Channel(
                    str(item.name), str(item.label or item.name), item.in_person
                )
    if found and decls:
        ctx.path = decls[0][0]
        check_online_channel(ctx, decls[0][1].items[0].name, found)
    return found
