"""The court link (诉调对接): `法院对接 法院 { … }`, compiled and checked.

    法院对接 法院 {
      联络员 诉讼联络员                 # the court office's role that records what the court did
      移送 诉讼, 速裁                   # diversions whose case waits for the court (等待法院)
      退回调解 -> 调解                  # where a case sent back by the court reopens
      司法确认 judicial_confirmation    # a yes/no form field: the agreement goes for 司法确认
      委派 法院委派 时限 30 天          # the court's referrals: their channel, their own deadline
    }

Every line has its runtime effect (engine/court.py) or `yidi check` refuses it.
"""

from __future__ import annotations

from typing import Any

from dsl import syntax as s
from dsl.context import Context
from dsl.model import County, CourtLink, Deadline
from dsl.organisation import Located, walk
from dsl.processes import deadline

COURT_LINK = ("法院对接", "court link")


def court_link(
    ctx: Context, decls: Located[s.CourtLinkDecl], tables: dict[str, Any]
) -> CourtLink | None:
    """The county's one court link, or None; every reference checked."""
    found: CourtLink | None = None
    for index, decl in enumerate(walk(ctx, decls)):
        if index:
            ctx.report(decl.court, "法院对接只能声明一次", "the court link may be declared once")
            continue
        found = _one(ctx, decl, tables)
    return found


def _one(ctx: Context, decl: s.CourtLinkDecl, tables: dict[str, Any]) -> CourtLink | None:
    court = str(decl.court)
    office_ok = ctx.known(decl.court, tables["offices"], ("单位", "office"))
    if decl.liaison is None:
        ctx.missing(decl.court, "法院联络员（联络员 角色）", "the court liaison (liaison ROLE)")
    elif office_ok and str(decl.liaison) not in tables["offices"][court].roles:
        ctx.report(
            decl.liaison,
            f"单位「{court}」没有角色「{decl.liaison}」：法院联络员须是法院单位的角色",
            f"office '{court}' has no role '{decl.liaison}': the liaison works at the court",
        )
    for name in decl.hand_off:
        known = ctx.known(name, tables["diversions"], ("引导去向", "diversion"))
        if known and not tables["diversions"][str(name)].outcome_required:
            ctx.report(
                name,
                f"移送法院的「{name}」不能是「无需回告」的引导：法院的结果须登记",
                f"hand-off '{name}' cannot be a no_outcome diversion: the court's result "
                "is recorded",
            )
    referrals: dict[str, Deadline] = {}
    for channel, rule in decl.referral:
        if ctx.known(channel, tables["channels"], ("渠道", "channel")):
            if str(channel) in referrals:
                ctx.report(
                    channel,
                    f"委派渠道「{channel}」重复声明",
                    f"referral channel '{channel}' declared twice",
                )
            referrals[str(channel)] = deadline(ctx, rule, tables)
    if not decl.hand_off and decl.confirmation is None and not referrals:
        ctx.report(
            decl.court,
            "法院对接没有声明任何内容：请写 移送、司法确认 或 委派",
            "the court link declares nothing: write hand_off, confirmation or referral",
        )
    if (decl.hand_off or decl.confirmation is not None) and decl.back_to is None:
        ctx.missing(
            decl.court,
            "退回调解的步骤（退回调解 -> 步骤）：法院退回或不予确认时案件回到哪一步",
            "the step a case reopens at when the court sends it back (back_to -> STEP)",
        )
    if decl.liaison is None or not office_ok:
        return None
    return CourtLink(
        court=court,
        liaison=str(decl.liaison),
        hand_offs=tuple(str(n) for n in decl.hand_off),
        back_to=str(decl.back_to or ""),
        confirmation_field=str(decl.confirmation or ""),
        referrals=referrals,
    )


def check_court_link(ctx: Context, county: County, decls: Located[s.CourtLinkDecl]) -> None:
    """What needs the whole county: the step to reopen at is in every process; the
    confirmation field is a yes/no field of some form."""
    link = county.court
    if link is None or not decls:
        return
    ctx.path, decl = decls[0]
    if decl.back_to is not None:
        for process in county.processes.values():
            if link.back_to not in process.steps:
                ctx.report(
                    decl.back_to,
                    f"流程「{process.key}」没有步骤「{link.back_to}」：法院退回的案件无处可去",
                    f"process '{process.key}' has no step '{link.back_to}' to reopen at",
                )
    if decl.confirmation is not None and not _boolean_field(county, link.confirmation_field):
        ctx.report(
            decl.confirmation,
            f"没有任何表单有是/否字段「{link.confirmation_field}」：司法确认无从申请",
            f"no form has a yes/no field '{link.confirmation_field}': confirmation "
            "can never be requested",
        )


def _boolean_field(county: County, name: str) -> bool:
    for form in county.forms.values():
        properties = form.schema.get("properties")
        if isinstance(properties, dict):
            field = properties.get(name)
            if isinstance(field, dict) and field.get("type") == "boolean":
                return True
    return False
