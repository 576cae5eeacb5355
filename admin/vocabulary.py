"""The staff's words for a case's history: one place that turns an event (its kind, the action
it records, the office it names) and an actor into what the timeline shows.

An action's event says what the definition calls that action (「派发给承办单位」「接单」), not
the effect's generic word (every completion used to read 「办理」); the event that only records
the case closing after a close action is not repeated (「办结」 twice); internal names (assigned,
party) never reach the page. The citizen's words are in admin/citizen_view.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Each event kind's word when nothing more specific is known (see event_label).
EVENT_WORDS = {
    "received": "受理登记",
    "visited": "再次来访",
    "assigned": "改派承办单位",
    "claimed": "签收",
    "completed": "办理",
    "returned": "退单",
    "transferring": "转办",
    "transferred": "转办",
    "escalating": "提级",
    "escalated": "提级",
    "escalation_impossible": "无法提级",
    "pushing_down": "下沉",
    "pushed_down": "下沉",
    "diverting": "引导至法定途径",
    "diverted": "引导至法定途径",
    "supervised": "督办",
    "reminded": "提醒",
    "responded": "首次响应",
    "colour": "预警等级变化",
    "suspended": "中止",
    "resumed": "恢复办理",
    "extended": "延期",
    "evaluated": "评价",
    "follow_up": "跟进",
    "revisit_sampled": "抽中回访",
    "revisit_pending": "待回访",
    "verified": "回访核查",
    "reopened": "重新办理",
    "verification_failed": "核查不通过",
    "awaiting_report": "待回告",
    "diversion_reported": "回告",
    "called_in": "通知到场",
    "closing": "办结",
    "closed": "办结",
    "migrated": "流程版本迁移",
    "due_uncovered": "期限可能不准",
    # 函件 about the case (engine/letters.py EVENT_WORDS)
    "letter_issued": "签发函件",
    "letter_signed": "函件签收",
    "letter_answered": "函件回复",
    "letter_overdue": "函件逾期未回复",
    "letter_closed": "函件闭环销号",
    # the court link (engine/court.py)
    "court_hand_off": "移送法院",
    "confirmation_requested": "申请司法确认",
    "court_filed": "法院立案",
    "court_hearing": "法院开庭",
    "court_decided": "法院结果",
    # 督办 as a duty (engine/supervision.py, engine/supervision_link.py)
    "supervision_issued": "开具督办单",
    "supervision_replied": "回复督办单",
    "supervision_reminded": "督办单回复提醒",
    "supervision_escalated": "督办单逾期，提级督办",
    "supervision_link_opened": "开始跟踪督办",
    "supervision_link_closed": "结束跟踪督办",
    # prevention (排查预警, engine/screening.py, engine/correlation.py)
    "from_screening": "排查发现",
    "screening_done": "排查填报",
    "warning_raised": "触发预警",
    "warning_hit": "预警关联",
    "warning_closed": "预警办结",
    "risk_opened": "纳入风险清单",
    "risk_regraded": "调整风险等级",
    "risk_closed": "风险销号",
    # key persons (重点人员, engine/key_persons.py; i21persons)
    "key_person_added": "登记重点人员",
    "key_person_visited": "走访重点人员",
    "key_person_read": "查看重点人员完整信息",
}
# Who did it, when it was not a member of staff.
ACTORS = {"party": "当事人", "center": "中心", "system": "系统"}
# Events recording a step's action: their label is the action's name in the definition.
ACTION_EVENTS = frozenset(
    {
        "completed",
        "returned",
        "transferring",
        "escalating",
        "pushing_down",
        "diverting",
        "closing",
        "reopened",
        "suspended",
        "extended",
    }
)


def action_name(model: Any, process: str, step: Any, key: Any) -> str | None:
    """The definition's name of action `key` at `step` (None when it cannot be found)."""
    proc = model.processes.get(process) if model is not None else None
    found = proc.steps.get(str(step)) if proc is not None and step else None
    for action in found.actions if found is not None else ():
        if action.key == key:
            return str(action.name)
    return None


def office_name(model: Any, key: Any) -> str:
    office = model.offices.get(key) if model is not None and key else None
    return str(office.name) if office is not None else str(key or "")


def event_label(model: Any, process: str, event: Any) -> str:
    after = event.after if isinstance(event.after, dict) else {}
    if event.kind in ACTION_EVENTS and after.get("action"):
        named = action_name(model, process, after.get("step"), after["action"])
        if named:
            return named
    if event.kind in ("assigned", "transferred") and after.get("office"):
        verb = "改由" if event.kind == "assigned" else "转办至"
        return f"{verb}{office_name(model, after['office'])}承办"
    if event.kind == "migrated" and after.get("version"):
        return f"流程迁移到第 {after['version']} 版"
    return EVENT_WORDS.get(event.kind, "办理记录")


def timeline(model: Any, process: str, events: Iterable[Any]) -> dict[int, str]:
    """Event id -> label; an event left out is not shown (the closing a close action made
    already says 办结)."""
    labels: dict[int, str] = {}
    previous: Any = None
    for event in events:
        repeated = event.kind == "closed" and previous is not None and previous.kind == "closing"
        if not repeated:
            labels[event.id] = event_label(model, process, event)
        previous = event
    return labels


def actor_names(names: Mapping[str, str]) -> dict[str, str]:
    """Display names of staff, and the words for the actors that are not staff."""
    return {**ACTORS, **names}
