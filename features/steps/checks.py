# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Checking a case: where it is (step, level, center, office), due times, colour grade,
supervision, status, code, outcome, timeline, and refusals with their messages."""

from __future__ import annotations

from engine.errors import ValidationFailed
from features.steps.phrases import phrase
from features.steps.world import World, parse_local, place, split_where, work_tickets

STATUS = {"办理中": "open", "已中止": "suspended", "已办结": "closed"}
STATUS.update({v: v for v in STATUS.values()})
STATUS_ZH = {v: k for k, v in STATUS.items() if k != v}
EVENTS = {
    "受理": "received",
    "签收": "claimed",
    "办理": "completed",
    "退回": "returned",
    "转办": "transferred",
    "提级": "escalated",
    "下沉": "pushed_down",
    "重开": "reopened",
    "中止": "suspended",
    "恢复": "resumed",
    "延期": "extended",
    "分流": "diverted",
    "提醒": "reminded",
    "变色": "colour",
    "督办": "supervised",
    "评价": "evaluated",
    "跟进": "follow_up",
    "核实": "verified",
    "办结": "closed",
    "核查不通过": "verification_failed",
    "待回告": "awaiting_report",
    "回告": "diversion_reported",
    "通知到场": "called_in",
    # the court link (engine/court.py)
    "移送法院": "court_hand_off",
    "申请司法确认": "confirmation_requested",
    "法院立案": "court_filed",
    "法院开庭": "court_hearing",
    "法院结果": "court_decided",
    # 督办 as a duty (features/steps/supervising.py)
    "开具督办单": "supervision_issued",
    "回复督办单": "supervision_replied",
    "督办单提醒": "supervision_reminded",
    "提级督办": "supervision_escalated",
    "开始跟踪督办": "supervision_link_opened",
    "结束跟踪督办": "supervision_link_closed",
}
EVENT_ZH = {v: k for k, v in EVENTS.items()}


def _where_now(world: World) -> str:
    view = world.case()
    tickets = work_tickets(view)
    if not tickets:
        status = STATUS_ZH.get(view.status, view.status) if world.lang == "zh" else view.status
        return world.say(f"没有待办的单（{status}）", f"no open ticket ({status})")
    parts = [
        world.say(f"「{t.step}」由 {place(t)} 办理", f"at {t.step} in {place(t, 'en')}")
        for t in tickets
    ]
    return "、".join(parts)


@phrase(
    "检查",
    '案件在 "{步骤}" 步骤，由 "{地点}" 办理',
    'the case is at "{step}" in "{place}"',
    doc="当前案件有一张待办的单在该步骤，由该中心（或 单位（中心））办理。",
    example_zh='那么 案件在 "接单" 步骤，由 "司法所（书院街道）" 办理',
    example_en='Then the case is at "接单" in "司法所（书院街道）"',
)
def case_is_at(world: World, step: str, place: str) -> None:
    office, center = split_where(place)
    tickets = work_tickets(world.case())
    if not any(
        t.step == step and t.center == center and (t.office or None) == office for t in tickets
    ):
        raise world.fail(
            f"期望案件在「{step}」由 {place} 办理，实际{_where_now(world)}",
            f"expected the case at {step} in {place.replace('（', ' (').replace('）', ')')}, it is {_where_now(world)}",
        )


@phrase(
    "检查",
    '案件在 "{步骤}" 步骤',
    'the case is at "{step}"',
    doc="当前案件有一张待办的单在该步骤（不论在哪里办理）。",
    example_zh='那么 案件在 "派单" 步骤',
    example_en='Then the case is at "派单"',
)
def case_is_at_step(world: World, step: str) -> None:
    if not any(t.step == step for t in work_tickets(world.case())):
        raise world.fail(
            f"期望案件在「{step}」，实际{_where_now(world)}",
            f"expected the case at {step}, it is {_where_now(world)}",
        )


@phrase(
    "检查",
    '案件层级为 "{层级}"',
    'the case is at level "{level}"',
    doc="案件当前所在的层级（提级、下沉会改变它）。",
    example_zh='那么 案件层级为 "县"',
    example_en='Then the case is at level "县"',
)
def case_level(world: World, level: str) -> None:
    view = world.case()
    if view.level != level:
        raise world.fail(
            f"期望案件在「{level}」级，实际在「{view.level}」级（{view.center}）",
            f"expected the case at level {level}, it is at level {view.level} ({view.center})",
        )


@phrase(
    "检查",
    '案件所在中心为 "{中心}"',
    'the case is at center "{center}"',
    doc="案件当前所在（负责）的中心。",
    example_zh='那么 案件所在中心为 "孝南区中心"',
    example_en='Then the case is at center "孝南区中心"',
)
def case_center(world: World, center: str) -> None:
    view = world.case()
    if view.center != center:
        raise world.fail(
            f"期望案件在 {center}，实际在 {view.center}（{view.level}级）",
            f"expected the case at {center}, it is at {view.center} (level {view.level})",
        )


@phrase(
    "检查",
    '案件的办结期限为 "{时间}"',
    'the case is due at "{moment}"',
    doc="案件整体的办结期限（当地时间）。",
    example_zh='那么 案件的办结期限为 "2026-10-12 09:00"',
    example_en='Then the case is due at "2026-10-12 09:00"',
)
def case_due(world: World, moment: str) -> None:
    expected = parse_local(world, moment)
    actual = world.case().due_at
    if actual != expected:
        raise world.fail(
            f"期望案件办结期限为 {world.local(expected)}，实际为 {world.local(actual)}",
            f"expected the case due at {world.local(expected)}, it is due at {world.local(actual)}",
        )


@phrase(
    "检查",
    '当前单的期限为 "{时间}"',
    'the open ticket is due at "{moment}"',
    doc="当前待办单（本步骤）的期限（当地时间）。",
    example_zh='那么 当前单的期限为 "2026-09-28 17:30"',
    example_en='Then the open ticket is due at "2026-09-28 17:30"',
)
def ticket_due(world: World, moment: str) -> None:
    expected = parse_local(world, moment)
    tickets = work_tickets(world.case())
    dues = [t.due_at for t in tickets]
    if expected not in dues:
        shown = "、".join(f"「{t.step}」{world.local(t.due_at)}" for t in tickets) or "—"
        raise world.fail(
            f"期望当前单的期限为 {world.local(expected)}，实际为 {shown}",
            f"expected the open ticket due at {world.local(expected)}, it is {shown}",
        )


@phrase(
    "检查",
    '案件颜色为 "{颜色}"',
    'the case is graded "{colour}"',
    doc="案件当前的颜色等级（蓝/黄/橙/红，按县区定义）。",
    example_zh='那么 案件颜色为 "黄"',
    example_en='Then the case is graded "黄"',
)
def case_colour(world: World, colour: str) -> None:
    actual = world.case().colour or ""
    if actual != colour:
        raise world.fail(
            f"期望案件为「{colour}」色，实际为「{actual or '无颜色'}」",
            f"expected the case graded {colour}, it is {actual or 'not graded'}",
        )


@phrase(
    "检查",
    "案件没有颜色",
    "the case has no colour grade",
    doc="案件还没有颜色等级。",
    example_zh="那么 案件没有颜色",
    example_en="Then the case has no colour grade",
)
def case_no_colour(world: World) -> None:
    case_colour(world, "")


@phrase(
    "检查",
    '案件已督办，督办单发给 "{地点=place}" 的 "{角色=role}"',
    'a supervision ticket is open for the "{role}" at "{place}"',
    doc="案件被督办，且有一张待办的督办单发给该中心的该角色。",
    example_zh='那么 案件已督办，督办单发给 "孝南区中心" 的 "督办员"',
    example_en='Then a supervision ticket is open for the "督办员" at "孝南区中心"',
)
def supervised_for(world: World, role: str, place: str) -> None:
    office, center = split_where(place)
    view = world.case()
    notes = [t for t in view.open_tickets() if t.kind == "supervision"]
    if not view.supervised or not any(
        t.center == center and t.role == role and (t.office or None) == office for t in notes
    ):
        shown = "、".join(f"{t.center} 的 {t.role}" for t in notes) or world.say("无", "none")
        raise world.fail(
            f"期望有督办单发给 {place} 的「{role}」，实际督办单：{shown}",
            f"expected a supervision ticket for the {role} at {place}, there are: {shown}",
        )


@phrase(
    "检查",
    "案件未被督办",
    "the case is not supervised",
    doc="案件没有被督办，也没有督办单。",
    example_zh="那么 案件未被督办",
    example_en="Then the case is not supervised",
)
def not_supervised(world: World) -> None:
    view = world.case()
    steps = world.need_county().processes[view.process].steps
    notes = [
        t
        for t in view.tickets
        if t.kind == "supervision" and not (t.step in steps and steps[t.step].kind == "supervision")
    ]  # a chain's supervision link (类型 督办) follows every case: it is no 督办单 issued
    if view.supervised or notes:
        raise world.fail(
            f"期望案件未被督办，实际已督办（督办单 {len(notes)} 张）",
            f"expected the case not supervised, it is ({len(notes)} supervision tickets)",
        )


@phrase(
    "检查",
    '案件状态为 "{状态}"',
    'the case status is "{status}"',
    doc="办理中、已中止 或 已办结（英文 open、suspended、closed）。",
    example_zh='那么 案件状态为 "已办结"',
    example_en='Then the case status is "closed"',
)
def case_status(world: World, status: str) -> None:
    if status not in STATUS:
        raise world.fail(
            f"状态「{status}」不存在，可选：办理中、已中止、已办结",
            f"no status {status!r}; use open, suspended or closed",
        )
    actual = world.case().status
    if actual != STATUS[status]:
        raise world.fail(
            f"期望案件{status}，实际{STATUS_ZH.get(actual, actual)}",
            f"expected the case {status}, it is {actual}",
        )


@phrase(
    "检查",
    '案件编号以 "{前缀}" 开头',
    'the case code starts with "{prefix}"',
    doc="一案一码：案件编号的前缀（县区编码-年份-）。",
    example_zh='那么 案件编号以 "XG-2026-" 开头',
    example_en='Then the case code starts with "XG-2026-"',
)
def code_prefix(world: World, prefix: str) -> None:
    code = world.case().code
    if not code.startswith(prefix):
        raise world.fail(
            f"期望案件编号以「{prefix}」开头，实际为 {code}",
            f"expected the case code to start with {prefix!r}, it is {code}",
        )


@phrase(
    "检查",
    '案件编号为 "{编号}"',
    'the case code is "{code}"',
    doc="案件编号完全相同。",
    example_zh='那么 案件编号为 "XG-2026-000001"',
    example_en='Then the case code is "XG-2026-000001"',
)
def code_is(world: World, code: str) -> None:
    actual = world.case().code
    if actual != code:
        raise world.fail(
            f"期望案件编号为 {code}，实际为 {actual}", f"expected code {code}, it is {actual}"
        )


@phrase(
    "检查",
    '案件结果为 "{结果}"',
    'the case outcome is "{outcome}"',
    doc="办理结果（化解成功、调解不成……，由动作的 结果 记录）。",
    example_zh='那么 案件结果为 "化解成功"',
    example_en='Then the case outcome is "化解成功"',
)
def outcome_is(world: World, outcome: str) -> None:
    actual = world.case().outcome
    if actual != outcome:
        raise world.fail(
            f"期望办理结果为「{outcome}」，实际为「{actual or '无'}」",
            f"expected the outcome {outcome!r}, it is {actual or 'none'}",
        )


@phrase(
    "检查",
    "案件时间线依次包含：",
    "the case timeline contains in order:",
    doc="时间线按顺序包含这些事件（中间可以有别的事件）。",
    example_zh="那么 案件时间线依次包含：",
    example_en="Then the case timeline contains in order:",
    table="一列（可带表头 事件）：受理、签收、办理、退回、转办、提级、下沉、重开、中止、恢复、延期、分流、提醒、变色、督办、评价、跟进、核实、核查不通过、待回告、回告、通知到场、移送法院、申请司法确认、法院立案、法院开庭、法院结果、办结（英文写引擎的事件名：received、claimed、completed、returned、transferred、escalated、pushed_down、reopened、suspended、resumed、extended、diverted、reminded、colour、supervised、evaluated、follow_up、verified、verification_failed、awaiting_report、diversion_reported、called_in、court_hand_off、confirmation_requested、court_filed、court_hearing、court_decided、closed）；第二列可写备注中应包含的文字。",
)
def timeline_contains(world: World, datatable: list[list[str]]) -> None:
    engine = world.need_engine()
    view = world.case()
    events = engine.timeline(world.overseer(), view.code)
    wanted = [row for row in datatable if row and row[0].strip() not in ("事件", "event")]
    position = 0
    for row in wanted:
        label = row[0].strip()
        kind = EVENTS.get(label, label)
        note = row[1].strip() if len(row) > 1 else ""
        while position < len(events) and not (
            events[position].kind == kind and note in (events[position].note or "")
        ):
            position += 1
        if position == len(events):
            seen = "、".join(EVENT_ZH.get(e.kind, e.kind) for e in events)
            raise world.fail(
                f"时间线中找不到（按顺序）「{label}{'：' + note if note else ''}」；时间线为：{seen}",
                f"the timeline lacks (in order) {label!r} {note}; it is: {seen}",
            )
        position += 1


def _take_refusal(world: World) -> Exception:
    refusal = world.refusal
    if refusal is None:
        raise world.fail(
            "期望上一步被拒绝，但它成功了", "expected the previous step to be refused, it succeeded"
        )
    world.refusal = None
    return refusal


@phrase(
    "检查",
    '操作被拒绝，提示包含 "{提示}"',
    'the action is refused with "{message}"',
    doc="上一步（登记或办理）被引擎拒绝，提示信息包含这段文字。",
    example_zh='那么 操作被拒绝，提示包含 "必须填写理由"',
    example_en='Then the action is refused with "必须填写理由"',
)
def refused(world: World, message: str) -> None:
    refusal = _take_refusal(world)
    if message not in str(refusal):
        raise world.fail(
            f"期望提示包含「{message}」，实际提示：{refusal}",
            f"expected the message to contain {message!r}, it is: {refusal}",
        )


@phrase(
    "检查",
    '表单被退回，提示包含 "{提示}"',
    'the form is rejected with "{message}"',
    doc="上一步填写的表单未通过校验，某个字段的提示包含这段文字。",
    example_zh='那么 表单被退回，提示包含 "办理经过"',
    example_en='Then the form is rejected with "办理经过"',
)
def form_rejected(world: World, message: str) -> None:
    refusal = _take_refusal(world)
    if not isinstance(refusal, ValidationFailed):
        raise world.fail(
            f"期望表单校验不通过，实际是操作被拒绝：{refusal}",
            f"expected the form to be rejected, the action was refused instead: {refusal}",
        )
    texts = [str(refusal), *(f"{e.path} {e.message}" for e in refusal.field_errors)]
    if not any(message in text for text in texts):
        raise world.fail(
            f"期望表单提示包含「{message}」，实际提示：{refusal}",
            f"expected the form message to contain {message!r}, it is: {refusal}",
        )


@phrase(
    "检查",
    '"{角色}" 在 "{地点}" 可执行的操作为 "{动作}"',
    'the "{role}" at "{place}" may take "{actions}"',
    doc="该角色此刻在当前案件上可执行的操作（用 、 分隔，顺序同定义；没有时写 无）。",
    example_zh='那么 "承办人" 在 "司法所（书院街道）" 可执行的操作为 "化解、调解不成、提级办理、申请延期"',
    example_en='Then the "承办人" at "司法所（书院街道）" may take "化解、调解不成、提级办理、申请延期"',
)
def may_take(world: World, role: str, place: str, actions: str) -> None:
    from features.steps.acting import pick_ticket

    who = world.person(role, place)
    ticket = pick_ticket(world, who, None)
    offered = [o.key for o in world.need_engine().available_actions(who, ticket.id)]
    expected = (
        []
        if actions.strip() in ("无", "none")
        else [a.strip() for a in actions.replace(",", "、").split("、")]
    )
    if offered != expected:
        raise world.fail(
            f"期望 {place} 的「{role}」可执行「{'、'.join(expected) or '无'}」，实际为「{'、'.join(offered) or '无'}」",
            f"expected the {role} at {place} to be offered {expected}, they are offered {offered}",
        )
