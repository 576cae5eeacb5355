"""Key persons (重点人员) declaration -> `KeyPersonRules`, every name checked.

重点人员 类别 三失一偏, 精神障碍, 信访老户 {
  走访 每月                    # 每日 / 每周 / 每半月 / 每月: a visit older than that is overdue
  可见 负责人 在 市            # roles (at a level) that see ID number, phone and address in full
}

Without `可见`, full personal data is seen by the office responsible for the person and the
负责人 of the county's top-level center; every other role sees it masked.
"""

from __future__ import annotations

from typing import Any

from dsl import syntax as s
from dsl.context import LEVEL, ROLE, Context
from dsl.organisation import Located
from dsl.prevention_model import CADENCES, KeyPersonRules

DEFAULT_FULL_ROLE = "负责人"


def key_persons(
    ctx: Context, decls: Located[s.KeyPersonsDecl], t: dict[str, Any]
) -> KeyPersonRules | None:
    if not decls:
        return None
    for path, extra in decls[1:]:
        ctx.report(
            extra.at,
            "「重点人员」只能声明一次（类别请写在同一句里）",
            "key persons may be declared only once",
            path=path,
        )
    path, decl = decls[0]
    ctx.path = path
    ok = True
    categories: list[str] = []
    for name in decl.categories:
        if str(name) in categories:
            ctx.report(name, f"重点人员类别「{name}」重复", f"duplicate category '{name}'")
            ok = False
        categories.append(str(name))
    if decl.visit is None:
        ctx.missing(decl.at, "重点人员的走访周期（如：走访 每月）", "visit cadence")
        ok = False
    elif str(decl.visit) not in CADENCES:
        ctx.report(
            decl.visit,
            f"未知的走访周期「{decl.visit}」（可选：每日、每周、每半月、每月）",
            f"unknown visit cadence '{decl.visit}' (daily, weekly, half_monthly, monthly)",
        )
        ok = False
    full: list[tuple[str, str]] = []
    for role, level in decl.full:
        if not (ctx.known(role, t["roles"], ROLE) and ctx.known(level, t["levels"], LEVEL)):
            ok = False
            continue
        full.append((str(role), str(level)))
    if not decl.full:
        top = next(iter(t["levels"]), None)
        if DEFAULT_FULL_ROLE in t["roles"] and top is not None:
            full.append((DEFAULT_FULL_ROLE, str(top)))
    if not ok or decl.visit is None:
        return None
    return KeyPersonRules(
        categories=tuple(categories),
        cadence=CADENCES[str(decl.visit)],
        full_view=tuple(full),
        line=decl.at.line or 0,
    )
