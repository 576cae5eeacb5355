"""The console's view of the court link (诉调对接, `法院对接 …`): what the county declared, in
the administrator's words, on the 流程图 page beside the outcome meanings."""

from __future__ import annotations

from typing import Any


def court_rows(model: Any) -> list[tuple[str, str]] | None:
    """(what, declared) rows; None when the county declares no court link."""
    link = getattr(model, "court", None)
    if link is None:
        return None
    court = model.offices[link.court].name if link.court in model.offices else link.court
    rows = [("法院", court), ("法院联络员", link.liaison)]
    hand_offs = "、".join(model.diversions[k].name for k in link.hand_offs if k in model.diversions)
    rows.append(("移送法院（等待法院结果）", hand_offs or "无"))
    rows.append(("法院退回、不予确认后回到", link.back_to or "—"))
    rows.append(("申请司法确认的字段", link.confirmation_field or "未声明（不受理司法确认）"))
    for channel, deadline in link.referrals.items():
        allowed = deadline.default
        amount = (
            f"{allowed.amount} {UNITS.get(allowed.unit, allowed.unit)}"
            if allowed
            else "按等级/层级"
        )
        rows.append((f"法院委派渠道「{channel}」时限", amount))
    return rows


UNITS = {"minute": "分钟", "hour": "小时", "day": "天", "workday": "个工作日", "month": "个月"}
