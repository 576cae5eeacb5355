"""The 办结期限 the citizen is told when the process has no case deadline (整体时限), only step
deadlines: the open step's due time, then each following step's allowance in turn, along the
path a case takes when every step is completed, to the end step.

An estimate for the receipt and the progress page (a return or an escalation moves it); it is
stored nowhere and no timer reads it. A step without a deadline (an evaluation waiting for the
citizen) adds nothing; None when no step on the way has one, or the path loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsl.model import County
from engine.flow import _next_of, due_time


def projected_due(
    county: County, case: Mapping[str, Any], step_key: str | None, step_due: datetime | None
) -> datetime | None:
    """From the open step `step_key` due at `step_due` (None: counted from receipt)."""
    process = county.processes.get(str(case.get("process")))
    if process is None or step_key is None or step_key not in process.steps:
        return None
    facts = dict(case)
    office = case.get("office")
    step = process.steps[step_key]
    due = step_due or due_time(county, step.deadline, facts, case["received_at"], office)
    seen = {step_key}
    following = _next_of(step)
    while following is not None and following not in seen:
        seen.add(following)
        nxt = process.steps.get(following)
        if nxt is None or nxt.kind == "end" or nxt.actor is None:
            return due
        start = due or case["received_at"]
        due = due_time(county, nxt.deadline, facts, start, office) or due
        following = _next_of(nxt)
    return due if following is None else None
