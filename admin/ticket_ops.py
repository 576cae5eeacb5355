"""Managing an open ticket from the case page: 签收 (claim), 中止 (suspend), 恢复 (resume) and
延期 (extend), through the engine's public API.

What is offered follows the definition: 中止 and 延期 appear only where the step's deadline
rule (or, for a step without one, the case deadline) allows them, and only to someone who may
work the ticket; a ticket signed for by one person is managed by that person only. Each POST
re-checks the same rules here (so a forged form gets the same Chinese message the page would
have shown) and the engine checks them again inside its one transaction, so a refusal writes
nothing. Answers: a redirect back to the case page on success; the case page with the error
next to the form otherwise (422 bad input, 409 refused; 200 to htmx, which swaps only 2xx).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, and_, or_, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin import limits
from admin.accounts import AccountMembership, UserAccount
from admin.auth import StaffUser, require_user
from admin.scope import CASE, TICKET, county_id, todo_clause
from admin.web import database_form_page
from engine import pauses
from forms.integers import parse_int

USERS = UserAccount.__table__
MEMBERS = AccountMembership.__table__
OPEN = ("open", "claimed")
UNITS = {"workday": "工作日", "day": "天", "hour": "小时"}
MAX_TEXT = limits.MAX_TEXT  # a reason is a sentence or two, not a document
MAX_NAME = 50
MAX_AMOUNT = 365
WORDS = {"claim": "签收", "suspend": "中止", "resume": "恢复办理", "extend": "延期"}
DONE = {
    "claim": "已签收：其他人员不能再办理此单。",
    "suspend": "案件已中止：恢复办理时，期限按中止的时间顺延。",
    "resume": "已恢复办理，期限已按中止时长顺延。",
    "extend": "已延期，新的期限见下方。",
}


class BadInput(ValueError):
    """Input the page should have prevented: its message is shown next to the form."""


@dataclass(frozen=True)
class TicketOps:
    """What the user may do to one open ticket besides the definition's actions."""

    claimed_by: str = ""  # who signed for it (display name), "" when nobody has
    works: bool = False  # the ticket is the user's to work (role, center, office)
    mine: bool = False  # signed for by this user
    claim: bool = False
    suspend: bool = False
    resume: bool = False
    extend: bool = False
    approver_role: str = ""  # the role that must approve 中止/延期 ("" = nobody)
    # (username, display name) of the active staff holding that role where the ticket is:
    # the only approvers the page offers and the POST accepts
    approvers: tuple[tuple[str, str], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, op: str) -> str:
        return self.labels.get(op, WORDS[op])


def deadline_rule(model: Any, process: str, step: str, channel: str = "") -> Any:
    """The rule that governs 中止/延期 on a step (the engine's own choice, a court referral's
    own deadline included)."""
    return pauses.deadline_rule(model, process, step, channel) if model is not None else None


def _labels(model: Any, process: str, step: str) -> dict[str, str]:
    """A definition that names its own suspend/extend action (申请延期) names the button."""
    proc = model.processes.get(process) if model is not None else None
    found = proc.steps.get(step) if proc is not None else None
    actions = found.actions if found is not None else ()
    return {a.effect: a.name for a in actions if a.effect in ("suspend", "extend")}


def _asks_for_work(model: Any, process: str, ticket: Any) -> bool:
    """签收 is offered where the step asks for a form (work that takes a while, which a
    colleague could otherwise start too). On a step answered with one click (接单: the office
    accepts) the action itself is the acceptance: a 签收 before it is a second click for the
    same thing, and the step after it is signed for by whoever accepted (engine.actions)."""
    proc = model.processes.get(process) if model is not None else None
    step = proc.steps.get(ticket.step) if proc is not None else None
    return step is None or bool(step.form)


def offered(model: Any, case: Any, ticket: Any, user: StaffUser, works: bool) -> TicketOps:
    """The operations to show for one ticket; `works`: it is in the user's to-do scope."""
    claimer = ticket.claimed_by or ""
    mine = bool(claimer) and claimer == user.username
    free = ticket.state == "open" or mine
    if ticket.state not in OPEN or not works or not free:
        return TicketOps(claimed_by=claimer, works=works, mine=mine)
    suspended = case.status == "suspended"
    pausable = ticket.kind != "supervision"
    rule = deadline_rule(model, case.process, ticket.step, case.channel) if pausable else None
    role = rule.approver_role if rule is not None else ""
    roles = getattr(model, "roles", {})
    return TicketOps(
        claimed_by=claimer,
        works=works,
        mine=mine,
        claim=ticket.state == "open"
        and (not suspended or not pausable)
        and _asks_for_work(model, case.process, ticket),
        suspend=bool(rule and rule.suspend_allowed) and case.status == "open",
        resume=pausable and suspended,
        extend=bool(rule and rule.extend_allowed) and case.status == "open",
        approver_role=roles[role].name if role in roles else role,
        labels=_labels(model, case.process, ticket.step),
    )


def for_case(
    db: Engine,
    model: Any,
    case: Any,
    tickets: list[Any],
    user: StaffUser,
    mine: set[int],
    people: set[str],
) -> tuple[dict[int, TicketOps], dict[str, str]]:
    """TicketOps per open ticket, and display names of whoever signed for them and of
    `people` (the page's other actors), read in one query."""
    ops = {t.id: offered(model, case, t, user, t.id in mine) for t in tickets if t.state in OPEN}
    claimers = {t.claimed_by for t in tickets if t.state in OPEN and t.claimed_by}
    names = display_names(db, claimers | people)
    for t in tickets:
        found = ops.get(t.id)
        if found is None:
            continue
        approvers: tuple[tuple[str, str], ...] = ()
        if (found.suspend or found.extend) and found.approver_role:
            rule = deadline_rule(model, case.process, t.step, case.channel)
            approvers = _approvers(db, user.county, rule.approver_role, t.center, t.office)
        ops[t.id] = replace(
            found, claimed_by=names.get(found.claimed_by, found.claimed_by), approvers=approvers
        )
    return ops, names


def display_names(db: Engine, usernames: set[str]) -> dict[str, str]:
    """Staff display names by username (people read 张三, not zhangsan01)."""
    if not usernames:
        return {}
    with db.connect() as conn:
        rows = conn.execute(
            select(USERS.c.username, USERS.c.display_name).where(USERS.c.username.in_(usernames))
        ).all()
    return {r.username: r.display_name for r in rows}


def _approvers(
    db: Engine, county: str, role: str, center: str, office: str | None
) -> tuple[tuple[str, str], ...]:
    """(username, display name) of the active staff holding the approver role at the level
    the ticket is worked: its center, in its office or as the center's own staff (a 司法所
    ticket at 书院街道 is approved by 书院街道's 负责人 or the 司法所's, not another town's nor
    the county's). The page offers exactly these and the POST accepts only these."""
    where = and_(
        MEMBERS.c.county == county,
        MEMBERS.c.role == role,
        MEMBERS.c.center == center,
        or_(MEMBERS.c.office.is_(None), MEMBERS.c.office == office)
        if office
        else MEMBERS.c.office.is_(None),
        USERS.c.active.is_(True),
    )
    with db.connect() as conn:
        rows = conn.execute(
            select(USERS.c.username, USERS.c.display_name)
            .join(MEMBERS, MEMBERS.c.user_id == USERS.c.id)
            .where(where)
            .distinct()
            .order_by(USERS.c.display_name, USERS.c.username)
        ).all()
    names = [r.display_name for r in rows]
    # two people of one name are told apart by their account name
    return tuple(
        (
            r.username,
            f"{r.display_name}（{r.username}）"
            if names.count(r.display_name) > 1
            else r.display_name,
        )
        for r in rows
    )


# --- the POST handlers ------------------------------------------------------------------------


def _load(db: Engine, user: StaffUser, ticket_id: int) -> tuple[Any, Any]:
    """The ticket and its case, when the case is within the user's scope (else 404, the same
    answer as a ticket that does not exist)."""
    from admin.case_page import visible_case

    if not 0 < ticket_id < 2**31:  # not a ticket id (and PostgreSQL's integer would overflow)
        raise HTTPException(404, "该工单不存在，或不在您的工作范围内。")
    county = county_id(db, user.county)  # (may read, on its own connection: not nested)
    with db.connect() as conn:
        row = conn.execute(
            select(TICKET, CASE.c.code)
            .join(CASE, CASE.c.id == TICKET.c.case_id)
            .where(TICKET.c.id == ticket_id, TICKET.c.county_id == county)
        ).first()
    case = visible_case(db, user, row.code) if row is not None else None
    if row is None or case is None:
        raise HTTPException(404, "该工单不存在，或不在您的工作范围内。")
    return row, case


def _ops_of(db: Engine, user: StaffUser, case: Any, ticket: Any) -> TicketOps:
    """The operations the case page offers this user on this ticket (the POST checks them)."""
    from admin.case_page import _version_model

    with db.connect() as conn:
        works = conn.execute(
            select(TICKET.c.id).where(TICKET.c.id == ticket.id, todo_clause(user))
        ).first()
    model = _version_model(db, case.version_id)
    ops, _ = for_case(db, model, case, [ticket], user, {ticket.id} if works else set(), set())
    return ops.get(ticket.id) or TicketOps()


def _text(submitted: FormData, name: str, limit: int, what: str) -> str:
    value = submitted.get(name, "")
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise BadInput(f"{what}不能超过 {limit} 字")
    return value


def _values(submitted: FormData) -> dict[str, str]:
    """The fields as typed, to show again with an error."""
    return {
        name: str(submitted.get(name, "")) if isinstance(submitted.get(name, ""), str) else ""
        for name in ("reason", "approver", "amount", "unit")
    }


def _why_not(op: str, ops: TicketOps, ticket: Any, case: Any) -> str:
    """Why an operation the page does not offer is refused (Chinese, specific)."""
    what = ops.label(op) if op in ("suspend", "extend") else WORDS[op]
    if ticket.state not in OPEN:
        return f"该单已办结，不能{what}"
    if not ops.works:
        return f"您不是该单的办理人，不能{what}"
    if ops.claimed_by and not ops.mine:
        return f"该单已由 {ops.claimed_by} 签收，只有签收人可以{what}"
    if op == "claim":
        if case.status == "suspended":
            return "案件已中止办理，请先恢复"
        if ticket.state == "open":  # a one-click step (接单): acting on it is the acceptance
            return "该环节无需签收，请直接办理"
        return "该单已签收"
    if ticket.kind == "supervision":
        return f"督办单不能{what}"
    if op == "resume":
        return "案件没有中止，无需恢复"
    if case.status != "open":
        return f"案件已中止，请先恢复办理再{what}"
    return f"该环节的时限规则不允许{what}"


def _approver(submitted: FormData, ops: TicketOps, what: str) -> str:
    """The chosen approver's name as the engine records it; only someone the page offered
    (holding the approver role where the ticket is) is accepted."""
    chosen = _text(submitted, "approver", MAX_NAME, "审批人")
    if not ops.approver_role:
        return ""
    if not ops.approvers:
        raise BadInput(
            f"本单位没有持有「{ops.approver_role}」角色的在岗人员，无法审批{what}；"
            "请联系管理员在配置台添加"
        )
    if not chosen:
        raise BadInput(f"{what}需要「{ops.approver_role}」审批，请选择审批人")
    names = dict(ops.approvers)
    if chosen not in names:
        raise BadInput(f"审批人应从本单位持有「{ops.approver_role}」角色的人员中选择")
    return names[chosen]


def _call(engine: Any, op: str, principal: Any, ticket_id: int, submitted: Any, ops: Any) -> None:
    """Validate the fields of one operation and hand it to the engine."""
    from dsl.model import Duration

    if op == "claim":
        engine.claim(principal, ticket_id)
        return
    what = ops.label(op) if op in ("suspend", "extend") else WORDS[op]
    reason = _text(submitted, "reason", MAX_TEXT, "理由")
    if op == "resume":
        engine.resume(principal, ticket_id, reason=reason)
        return
    approver = _approver(submitted, ops, what)
    if not reason:
        raise BadInput(f"请填写{what}理由")
    if op == "suspend":
        engine.suspend(principal, ticket_id, reason=reason, approver=approver)
        return
    amount = parse_int(submitted.get("amount", ""), 1, MAX_AMOUNT)
    if amount is None:
        raise BadInput(f"延期时长应为 1 到 {MAX_AMOUNT} 之间的整数（阿拉伯数字）")
    unit = submitted.get("unit", "")
    if unit not in UNITS:
        raise BadInput("请选择延期单位：" + "、".join(UNITS.values()))
    engine.extend(
        principal, ticket_id, amount=Duration(amount, unit), reason=reason, approver=approver
    )


def _operate(request: Request, submitted: FormData, op: str) -> Response:
    from admin.case_page import render_case
    from admin.workflow import refusal, workflow
    from engine.errors import EngineError

    user = require_user(request)
    db = request.app.state.db
    ticket, case = _load(db, user, int(request.path_params["ticket"]))
    ops = _ops_of(db, user, case, ticket)
    status, message = 409, ""
    if not getattr(ops, op):
        message = _why_not(op, ops, ticket, case)
    else:
        try:
            _call(workflow(request), op, user.principal(), ticket.id, submitted, ops)
        except BadInput as exc:
            status, message = 422, str(exc)
        except EngineError as exc:  # refused in the engine's transaction: nothing written
            message = refusal(exc)
    if not message:
        return RedirectResponse(f"/cases/{case.code}?did={op}#ticket-{ticket.id}", 303)
    problem = {"ticket": ticket.id, "op": op, "message": message, "typed": _values(submitted)}
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps 2xx answers only; the error is in the page it swaps in
    return render_case(request, user, case, status=status, problem=problem)


@database_form_page
def claim(request: Request, submitted: FormData) -> Response:
    return _operate(request, submitted, "claim")


@database_form_page
def suspend(request: Request, submitted: FormData) -> Response:
    return _operate(request, submitted, "suspend")


@database_form_page
def resume(request: Request, submitted: FormData) -> Response:
    return _operate(request, submitted, "resume")


@database_form_page
def extend(request: Request, submitted: FormData) -> Response:
    return _operate(request, submitted, "extend")


def routes() -> list[BaseRoute]:
    return [
        Route(f"/tickets/{{ticket:id}}/{op}", handler, methods=["POST"])
        for op, handler in (
            ("claim", claim),
            ("suspend", suspend),
            ("resume", resume),
            ("extend", extend),
        )
    ]
