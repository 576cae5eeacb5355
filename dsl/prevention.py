"""Prevention (排查预警) declarations -> `Screening` and `WarningRule`, every name checked.

排查 网格日查 "网格员每日排查" {
  排查人 网格员 在 村          # a role at a level (单位 X when several offices there have it)
  周期 每日                    # 每日 / 每周 / 每半月 / 每月, on the county's local calendar
  表单 十项排查                # the checklist form (forms/十项排查.json)
}
预警 同一线索五次 "同一线索五次预警" {
  同一 地点, 事项              # 当事人 (ID number or phone), 地点, 事项
  次数 5                       # seen this many times ...
  来源数 3                     # ... or from this many channels (either may be left out)
  时段 30 天                   # within this many days
  预警等级 橙                  # one of the county's 颜色等级
  派给 调度员 在 镇            # the warning work order: a role at the level above the place
}
"""

from __future__ import annotations

from typing import Any

from lark import Token

from dsl import syntax as s
from dsl.context import CALENDAR, FORM, LEVEL, ROLE, Context
from dsl.organisation import Located, walk
from dsl.prevention_model import (
    CADENCES,
    DIMENSIONS,
    Dimension,
    Screening,
    WarningRule,
)
from dsl.values import duration

SCREENING = ("排查", "screening round")
WARNING = ("预警规则", "warning rule")
SCREENING_CHANNEL = "排查"  # the channel a dispute found by screening is received on
MAX_TIMES = 1000


def screenings(
    ctx: Context, decls: Located[s.ScreeningDecl], t: dict[str, Any]
) -> dict[str, Screening]:
    found: dict[str, Screening] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, SCREENING):
            continue
        item = _screening(ctx, decl, t)
        if item is not None:
            found[item.key] = item
    if found and SCREENING_CHANNEL not in t["channels"]:
        first = next(iter(decls))
        ctx.report(
            first[1].name,
            f"声明了排查，但渠道中没有「{SCREENING_CHANNEL}」：排查发现的纠纷须以该渠道受理",
            f"screening rounds need the channel '{SCREENING_CHANNEL}' to receive what they find",
            path=first[0],
        )
    return found


def _screening(ctx: Context, decl: s.ScreeningDecl, t: dict[str, Any]) -> Screening | None:
    ok = True
    if decl.screener is None:
        ctx.missing(
            decl.name, f"排查「{decl.name}」的排查人（如：排查人 网格员 在 村）", "screener"
        )
        ok = False
    if decl.cadence is None:
        ctx.missing(decl.name, f"排查「{decl.name}」的周期（如：周期 每周）", "cadence")
        ok = False
    elif str(decl.cadence) not in CADENCES:
        ctx.report(
            decl.cadence,
            f"未知的排查周期「{decl.cadence}」（可选：每日、每周、每半月、每月）",
            f"unknown cadence '{decl.cadence}' (daily, weekly, half_monthly, monthly)",
        )
        ok = False
    if decl.form is None:
        ctx.missing(decl.name, f"排查「{decl.name}」的排查表单（如：表单 十项排查）", "form")
        ok = False
    elif not ctx.known(decl.form, t["forms"], FORM):
        ok = False
    if decl.calendar is not None and not ctx.known(decl.calendar, t["calendars"], CALENDAR):
        ok = False
    if decl.screener is None:
        return None
    role, level, office = decl.screener
    if not (ctx.known(role, t["roles"], ROLE) and ctx.known(level, t["levels"], LEVEL)):
        return None
    chosen = _office(ctx, role, level, office, t)
    if not ok or chosen is None or decl.cadence is None or decl.form is None:
        return None
    return Screening(
        key=str(decl.name),
        name=str(decl.label or decl.name),
        role=str(role),
        level=str(level),
        office=chosen,
        cadence=CADENCES[str(decl.cadence)],
        form=str(decl.form),
        calendar=str(decl.calendar or ""),
        line=decl.name.line or 0,
    )


def _office(
    ctx: Context, role: Token, level: Token, office: Token | None, t: dict[str, Any]
) -> str | None:
    """The office at `level` whose `role` screens: the named one, else the only candidate."""
    offices = t["offices"]
    if office is not None:
        if not ctx.known(office, offices, ("单位", "office")):
            return None
        chosen = offices[str(office)]
        if str(role) not in chosen.roles or str(level) not in chosen.levels:
            ctx.report(
                office,
                f"单位「{office}」没有入驻「{level}」层级或没有角色「{role}」，无法承担排查",
                f"office '{office}' is not stationed at level '{level}' with role '{role}'",
            )
            return None
        return str(office)
    candidates: list[str] = [
        o.key for o in offices.values() if str(role) in o.roles and str(level) in o.levels
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        ctx.report(
            role,
            f"「{level}」层级没有设有角色「{role}」的单位，排查任务无人承担",
            f"no office at level '{level}' has the role '{role}': nobody would screen",
        )
    else:
        ctx.report(
            role,
            f"「{level}」层级有多个单位设有角色「{role}」（{'、'.join(candidates)}），"
            "请用「单位 名称」指明由哪个单位排查",
            f"several offices at level '{level}' have role '{role}': name one with 单位",
        )
    return None


def warning_rules(
    ctx: Context, decls: Located[s.WarningDecl], t: dict[str, Any]
) -> dict[str, WarningRule]:
    found: dict[str, WarningRule] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, WARNING):
            continue
        rule = _warning(ctx, decl, t)
        if rule is not None:
            found[rule.key] = rule
    return found


def _count(ctx: Context, token: Token | None, what: str) -> int | None:
    if token is None:
        return None
    text = str(token)
    if "." in text or not 2 <= int(text) <= MAX_TIMES:
        ctx.report(
            token,
            f"{what}须为 2 到 {MAX_TIMES} 之间的整数（收到 {text}）",
            f"{what}: use a whole number from 2 to {MAX_TIMES}",
        )
        return None
    return int(text)


def _warning(ctx: Context, decl: s.WarningDecl, t: dict[str, Any]) -> WarningRule | None:
    ok = True
    same: list[Dimension] = []
    for word in decl.same:
        if str(word) not in DIMENSIONS:
            ctx.report(
                word,
                f"未知的关联维度「{word}」（可选：当事人、地点、事项）",
                f"unknown dimension '{word}' (party, place, subject)",
            )
            ok = False
        elif DIMENSIONS[str(word)] not in same:
            same.append(DIMENSIONS[str(word)])
    if not decl.same:
        ctx.missing(decl.name, f"预警「{decl.name}」的关联维度（如：同一 当事人）", "same")
        ok = False
    times = _count(ctx, decl.times, "次数")
    sources = _count(ctx, decl.sources, "来源数")
    if decl.times is None and decl.sources is None:
        ctx.missing(
            decl.name, f"预警「{decl.name}」的次数或来源数（如：次数 5）", "times or sources"
        )
        ok = False
    elif (decl.times is not None and times is None) or (
        decl.sources is not None and sources is None
    ):
        ok = False
    days = _days(ctx, decl)
    if decl.grade is None:
        ctx.missing(decl.name, f"预警「{decl.name}」的预警等级（如：预警等级 橙）", "grade")
        ok = False
    elif not ctx.known(decl.grade, t["colours"], ("颜色等级", "colour grade")):
        ok = False
    if decl.assign is None:
        ctx.missing(
            decl.name, f"预警「{decl.name}」的预警工单去向（如：派给 调度员 在 镇）", "assign"
        )
        return None
    role, level = decl.assign
    if not (ctx.known(role, t["roles"], ROLE) and ctx.known(level, t["levels"], LEVEL)):
        return None
    letter = _letter(ctx, decl, t)
    if not ok or days is None or decl.grade is None or letter is None:
        return None
    return WarningRule(
        key=str(decl.name),
        name=str(decl.label or decl.name),
        same=tuple(same),
        days=days,
        grade=str(decl.grade),
        role=str(role),
        level=str(level),
        times=times,
        sources=sources,
        line=decl.name.line or 0,
        letter=letter[0],
        letter_office=letter[1],
    )


def _letter(ctx: Context, decl: s.WarningDecl, t: dict[str, Any]) -> tuple[str, str] | None:
    """`预警函 K 给 O` (issue 21.5) -> (kind, office); ("", "") when absent; None after an error.
    The kind must be declared, must not quote a case (the letter is issued from the warning),
    and must list the office among its 收件单位."""
    if decl.letter is None:
        return "", ""
    kind_token, office_token = decl.letter
    kinds = t.get("letters") or {}
    if str(kind_token) not in kinds:
        known = "、".join(kinds) or "（本县区未声明函件）"
        ctx.report(
            kind_token,
            f"预警「{decl.name}」的预警函类型「{kind_token}」未声明（已声明的函件：{known}）",
            f"unknown letter kind '{kind_token}' in warning rule '{decl.name}'",
        )
        return None
    if not ctx.known(office_token, t["offices"], ("单位", "office")):
        return None
    kind = kinds[str(kind_token)]
    if kind.needs_case:
        ctx.report(
            kind_token,
            f"函件「{kind_token}」的正文引用案件信息，不能作为预警函自动签发"
            "（预警函的正文只能用函件自身的占位符，如 {事由}、{收件单位}）",
            f"letter kind '{kind_token}' quotes a case and cannot be issued from a warning",
        )
        return None
    if str(office_token) not in kind.addressees:
        ctx.report(
            office_token,
            f"单位「{office_token}」不在函件「{kind_token}」的收件单位中"
            f"（可选：{'、'.join(kind.addressees)}）",
            f"office '{office_token}' is not an addressee of letter kind '{kind_token}'",
        )
        return None
    return str(kind_token), str(office_token)


def _days(ctx: Context, decl: s.WarningDecl) -> int | None:
    if decl.within is None:
        ctx.missing(decl.name, f"预警「{decl.name}」的时段（如：时段 30 天）", "within")
        return None
    span = duration(ctx, decl.within)
    if span is None:
        return None
    if span.unit != "day":
        ctx.report(
            decl.within.unit or decl.within.at,
            "预警时段须以天计（如：时段 30 天）",
            "a warning window is counted in days (e.g. within 30 days)",
        )
        return None
    return span.amount
