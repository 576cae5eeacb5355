"""What an outcome counts as in the figures: its declared meaning (结果 X 类别 Y), never its
name (a county may call its mediated success 化解成功, another 调解成功)."""

from __future__ import annotations

from typing import Any

from engine.flow import Move


def outcome_columns(move: Move, outcome: str) -> dict[str, Any]:
    """The case's resolved / mediated / mediation-success columns for `outcome`. An outcome
    without a declared meaning (`yidi check` warns) is not counted as resolved: a figure that
    cannot tell must understate, never inflate, what a center achieved."""
    meaning = move.county.outcomes.get(outcome)
    if meaning is None:
        return {"resolved": False, "mediation_success": None}
    mediated = meaning in ("mediated", "mediation_failed", "confirmed") or bool(
        move.get("mediated")
    )
    resolved = meaning in ("resolved", "mediated", "confirmed")
    return {
        "resolved": resolved,
        "mediated": mediated,
        "mediation_success": resolved if mediated else None,
    }
