"""Letter kinds (函件): numbered documents a center sends to an office and expects an answer to.

    函件 督办函 "督办函" {
        文号 "孝综督函〔{年}〕{号}号"
        收件单位 司法所, 派出所
        回复时限 5 工作日
        签发 督办员
        正文 "{收件单位}：{案件编号}（{事项类型}）已超期，请于{回复期限}前书面回复。"
    }

Placeholders are `{name}`: the number pattern takes {年} and {号}; the body takes the letter's
own facts and, when it names any, the case's (such a kind is issued from a case page only).
The engine fills them in (engine/letter_text.py); the web escapes the result when it shows it.
"""

from __future__ import annotations

import re

from lark import Token

from dsl import syntax as s
from dsl.context import CALENDAR, OFFICE, ROLE, Context
from dsl.model import LetterKind
from dsl.organisation import Located, walk
from dsl.values import duration

LETTER = ("函件类型", "letter kind")
# Placeholders of the number pattern: Chinese and English spelling -> key
NUMBER_FIELDS = {"年": "year", "year": "year", "号": "serial", "serial": "serial"}
# The letter's own facts, known for every letter.
LETTER_FIELDS = {
    "文号": "number",
    "标题": "title",
    "收件单位": "addressee",
    "收件中心": "addressee_center",
    "发文中心": "issuer_center",
    "签发日期": "issued_on",
    "回复期限": "due_on",
    "事由": "reason",
    "县区": "county",
}
# A case's facts: a kind whose body names one is issued from a case (needs_case).
CASE_FIELDS = {
    "案件编号": "code",
    "案件标题": "case_title",
    "事项类型": "category",
    "等级": "severity",
    "受理日期": "received_on",
    "当事人": "parties",
    "承办单位": "office",
    "所在中心": "center",
    "办理期限": "case_due_on",
}
DATA_PREFIX = "数据."
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_PATTERN = 60
MAX_PARAGRAPH = 2000


def placeholders(text: str) -> list[str] | None:
    """The {names} in `text`, or None when a brace is left unpaired."""
    stripped = PLACEHOLDER.sub("", text)
    if "{" in stripped or "}" in stripped:
        return None
    return PLACEHOLDER.findall(text)


def letter_kinds(
    ctx: Context,
    decls: Located[s.LetterDecl],
    t: dict[str, object],
) -> dict[str, LetterKind]:
    """Checked letter kinds by key; every mistake is reported in Chinese and the kind left out."""
    found: dict[str, LetterKind] = {}
    seen: dict[str, tuple[str, int]] = {}
    for decl in walk(ctx, decls):
        if not ctx.unique(decl.name, seen, LETTER):
            continue
        kind = _kind(ctx, decl, t)
        if kind is not None:
            found[kind.key] = kind
    return found


def _kind(ctx: Context, decl: s.LetterDecl, t: dict[str, object]) -> LetterKind | None:
    ok = True
    name = decl.name
    if decl.number is None:
        ctx.missing(name, f'函件「{name}」的文号格式（文号 "…〔{{年}}〕{{号}}号"）', "number")
        ok = False
    else:
        ok = _number_pattern(ctx, decl.number, decl.at.get("number", name)) and ok
    offices = t.get("offices") or {}
    roles = t.get("roles") or {}
    calendars = t.get("calendars") or {}
    if not decl.addressees:
        ctx.missing(name, f"函件「{name}」的收件单位（收件单位 单位名）", "addressees")
        ok = False
    for office in decl.addressees:
        ok = ctx.known(office, offices, OFFICE) and ok  # type: ignore[arg-type]
    if not decl.issuers:
        ctx.missing(name, f"函件「{name}」的签发角色（签发 角色名）", "issued_by")
        ok = False
    for role in decl.issuers:
        ok = ctx.known(role, roles, ROLE) and ok  # type: ignore[arg-type]
    if decl.calendar is not None:
        ok = ctx.known(decl.calendar, calendars, CALENDAR) and ok  # type: ignore[arg-type]
    reply = None
    if decl.reply is None:
        ctx.missing(name, f"函件「{name}」的回复时限（回复时限 5 工作日）", "reply_within")
        ok = False
    else:
        reply = duration(ctx, decl.reply)
        ok = reply is not None and ok
    if not decl.body:
        ctx.missing(name, f'函件「{name}」的正文（正文 "…"，可写多行）', "body")
        ok = False
    needs_case = False
    intake_fields = t.get("intake_fields")
    for paragraph in decl.body:
        used = _body(ctx, paragraph, decl.at.get("body", name), intake_fields)
        if used is None:
            ok = False
        else:
            needs_case = needs_case or used
    if not ok or reply is None or decl.number is None:
        return None
    return LetterKind(
        key=str(name),
        title=decl.label or str(name),
        number_pattern=decl.number,
        addressees=tuple(dict.fromkeys(str(o) for o in decl.addressees)),
        reply_within=reply,
        issuers=tuple(dict.fromkeys(str(r) for r in decl.issuers)),
        body=tuple(decl.body),
        calendar=str(decl.calendar or ""),
        needs_case=needs_case,
    )


def _number_pattern(ctx: Context, pattern: str, at: Token) -> bool:
    names = placeholders(pattern)
    if names is None:
        ctx.report(at, f"文号格式「{pattern}」的花括号不成对", f"unpaired brace in '{pattern}'")
        return False
    unknown = [n for n in names if n not in NUMBER_FIELDS]
    if unknown:
        ctx.report(
            at,
            f"文号格式里的「{{{unknown[0]}}}」无法填写：只能用 {{年}} 和 {{号}}",
            f"'{{{unknown[0]}}}' in the number pattern: only {{年}} and {{号}} are known",
        )
        return False
    keys = [NUMBER_FIELDS[n] for n in names]
    if keys.count("serial") != 1 or keys.count("year") != 1:
        ctx.report(
            at,
            f"文号格式「{pattern}」须恰好含一个 {{年}} 和一个 {{号}}"
            "（文号按县区、类型、年份连续编号）",
            f"the number pattern '{pattern}' needs exactly one {{年}} and one {{号}}",
            ('如：文号 "孝综督函〔{年}〕{号}号"', 'e.g. number "XG〔{年}〕{号}"'),
        )
        return False
    if len(pattern) > MAX_PATTERN:
        ctx.report(
            at,
            f"文号格式不能超过 {MAX_PATTERN} 个字",
            f"the number pattern may not exceed {MAX_PATTERN} characters",
        )
        return False
    return True


def _body(ctx: Context, paragraph: str, at: Token, intake_fields: object) -> bool | None:
    """Whether the paragraph names a case's facts; None after reporting a mistake."""
    names = placeholders(paragraph)
    if names is None:
        shown = paragraph if len(paragraph) <= 20 else paragraph[:20] + "…"
        ctx.report(at, f"正文「{shown}」的花括号不成对", "unpaired brace in the body")
        return None
    if len(paragraph) > MAX_PARAGRAPH:
        ctx.report(at, f"正文每段不能超过 {MAX_PARAGRAPH} 字", "a body paragraph is too long")
        return None
    uses_case = False
    for name in names:
        if name in LETTER_FIELDS:
            continue
        if name in CASE_FIELDS:
            uses_case = True
            continue
        if name.startswith(DATA_PREFIX):
            field = name[len(DATA_PREFIX) :]
            if isinstance(intake_fields, dict) and field not in intake_fields:
                ctx.report(
                    at,
                    f"正文里的「{{{name}}}」：受理表单没有字段「{field}」",
                    f"'{{{name}}}' in the body: the intake form has no field '{field}'",
                )
                return None
            uses_case = True
            continue
        known = "、".join(f"{{{k}}}" for k in (*LETTER_FIELDS, *CASE_FIELDS))
        ctx.report(
            at,
            f"正文里的「{{{name}}}」无法填写（可用：{known}、{{数据.字段}}）",
            f"unknown placeholder '{{{name}}}' in the body",
        )
        return None
    return uses_case
