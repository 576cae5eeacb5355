"""What the act page shows beside the form, so the decider need not open the case in another
tab: the facts (category, severity, location, summary), the parties masked exactly as the
case page masks them for this user, the ticket's and the case's deadlines with their colour,
and the history. And the page a stale action link answers with."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from admin.auth import StaffUser
from admin.web import local_time, read_only, render

# Keys an intake form names its summary by (the seed counties' English keys or Chinese titles).
SUMMARY_KEYS = ("summary", "诉求", "事由", "简要案情", "案情", "摘要", "诉求内容")


def summary_of(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    for key in SUMMARY_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def context(request: Request, user: StaffUser, case: Any, ticket: Any) -> dict[str, Any]:
    """The case page's own context (parties, masking, timeline, names) for the side panel."""
    if case is None:
        return {}
    from admin.case_page import case_context

    found = case_context(read_only(request.app.state.db), user, case)
    return {
        "case": case,
        "summary": summary_of(case.data),
        "parties": found["parties"],
        "reveal": found["reveal"],
        "events": found["events"],
        "event_labels": found["event_labels"],
        "names": found["names"],
        "uncovered_dues": found["uncovered_dues"],
    }


def stale_page(request: Request, user: StaffUser, ticket: Any) -> Response:
    """409: the ticket was handled (by whom, when, how) or is someone else's now."""
    from admin.ticket_ops import display_names

    people = {p for p in (ticket.completed_by, ticket.claimed_by) if p}
    names = display_names(read_only(request.app.state.db), people)
    if ticket.state == "claimed" and ticket.claimed_by != user.username:
        what = f"该单已由 {names.get(ticket.claimed_by, ticket.claimed_by)} 签收，正在办理。"
    elif ticket.completed_by:
        who = names.get(ticket.completed_by, ticket.completed_by)
        at = f"于 {local_time(ticket.completed_at)} " if ticket.completed_at else ""
        what = f"该单已由 {who} {at}办理完毕，无需再次办理。"
    else:
        what = "该单已结束（案件已转办、提级、退回或办结），无需再次办理。"
    context = {"ticket": ticket, "what": what, "title": f"{ticket.name} · 该单已办理"}
    return render(request, "act_stale.html", context, status=409)
