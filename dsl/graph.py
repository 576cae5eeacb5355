"""A process as an SVG diagram: steps in layers from top to bottom, actions as labelled arrows.

Layers come from a breadth-first walk from the start step, so forward moves go down; moves back
up (return, reopen) go around the boxes through lanes on the right. No external tools: plain
SVG text.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from dsl.diagnostics import display_width
from dsl.model import Process, Step

CHAR = 7  # pixels per display column at font-size 13
BOX_H, GAP_X, GAP_Y, MARGIN = 44, 40, 80, 30
KIND_FILL = {
    "task": "#e8f0fe",
    "consultation": "#fef7e0",
    "evaluation": "#e6f4ea",
    "verification": "#f3e8fd",
    "end": "#eeeeee",
    "supervision": "#fde7e9",  # a link beside handling (伴随), reached by no arrow
}
EFFECT_NAMES = {
    "complete": "",
    "return": "退回",
    "transfer": "转办",
    "escalate": "提级",
    "push_down": "下沉",
    "reopen": "重开",
    "divert": "分流",
}


@dataclass
class Box:
    step: Step
    x: float
    y: float
    width: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def layers(process: Process) -> list[list[str]]:
    """Steps by distance from the start; unreachable steps go in a last layer."""
    depth = {process.start: 0}
    order = [process.start]
    for key in order:
        step = process.steps[key]
        for action in step.actions:
            target = action.target
            if target is not None and target in process.steps and target not in depth:
                depth[target] = depth[key] + 1
                order.append(target)
    rows: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for key in process.steps:
        if key in depth:
            rows[depth[key]].append(key)
    rest = [k for k in process.steps if k not in depth]
    return rows + ([rest] if rest else [])


def _detail(step: Step) -> str:
    """The small second line of a box: parallel participants, the ticket, or how it closes."""
    if step.participants:
        return "会商：" + "、".join(p.role for p in step.participants)
    closes = [a.name for a in step.actions if a.effect == "close"]
    return step.ticket or (f"{'、'.join(closes)}：办结" if closes else "")


def _boxes(process: Process) -> tuple[dict[str, Box], float]:
    rows = layers(process)
    widths = {
        k: max(display_width(s.name) * CHAR + 30, display_width(_detail(s)) * 6 + 20, 100)
        for k, s in process.steps.items()
    }
    row_widths = [sum(widths[k] for k in row) + GAP_X * (len(row) - 1) for row in rows]
    total = max(row_widths) + 2 * MARGIN + 160  # room on the right for back edges
    boxes = {}
    for index, row in enumerate(rows):
        x = MARGIN + (max(row_widths) - row_widths[index]) / 2
        for key in row:
            boxes[key] = Box(process.steps[key], x, MARGIN + index * (BOX_H + GAP_Y), widths[key])
            x += widths[key] + GAP_X
    return boxes, total


def _text(x: float, y: float, text: str, size: int = 13, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _edge(source: Box, target: Box, label: str, right: float, lane: int) -> str:
    if target.y > source.y:
        x1, y1 = source.centre, source.y + BOX_H
        x2, y2 = target.centre, target.y
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        # Labels sit 60% of the way down, where edges leaving one box have spread apart.
        lx, ly = x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6
        anchor = "end" if x2 < x1 else "start"
        lx += -4 if anchor == "end" else 4
    else:  # back up (or sideways): around every box, through a lane on the right
        return _back_edge(source, target, label, right - 20 - lane * 14, lane)
    return f'<path d="{path}" fill="none" stroke="#555" marker-end="url(#arrow)"/>' + _text(
        lx, ly, label, 11, anchor
    )


def _back_edge(source: Box, target: Box, label: str, bend: float, lane: int) -> str:
    """A move back up (退回, 重开): out of the source's top into the gap above its row, right to
    a lane past every box, up to the gap below the target's row, and into the target's bottom.
    Rows are only crossed at the lane and boxes are only passed in the gaps between rows, so
    the arrow never runs through another step (a box beside the source, such as 已办结)."""
    step = 6 * (lane % 4)  # edges sharing a gap keep apart
    x1, y1 = source.x + source.width * 0.75, source.y
    above = source.y - GAP_Y / 4 - step
    x2, y2 = target.x + target.width * 0.75 + step, target.y + BOX_H
    below = target.y + BOX_H + GAP_Y / 4 + step
    path = (
        f"M{x1:.0f},{y1:.0f} L{x1:.0f},{above:.0f} L{bend:.0f},{above:.0f} "
        f"L{bend:.0f},{below:.0f} L{x2:.0f},{below:.0f} L{x2:.0f},{y2:.0f}"
    )
    arrow = f'<path class="back" d="{path}" fill="none" stroke="#555" marker-end="url(#arrow)"/>'
    return arrow + _text(bend - 4, (above + below) / 2, label, 11, "end")


def _edge_labels(boxes: dict[str, Box]) -> dict[tuple[str, str], str]:
    """One arrow per pair of steps; several actions between them share it ("化解 / 调解不成")."""
    labels: dict[tuple[str, str], list[str]] = {}
    for key, box in boxes.items():
        for action in box.step.actions:
            if action.target is None or action.target not in boxes:
                continue
            effect = EFFECT_NAMES.get(action.effect, "")
            label = action.name + (f"（{effect}）" if effect and effect != action.name else "")
            labels.setdefault((key, action.target), []).append(label)
    return {pair: " / ".join(names) for pair, names in labels.items()}


def process_svg(process: Process) -> str:
    boxes, width = _boxes(process)
    height = max(b.y for b in boxes.values()) + BOX_H + MARGIN + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" role="img" '
        f'aria-label="{escape(process.name)}">',
        f"<title>{escape(process.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    lane = 0
    for (source, target), label in _edge_labels(boxes).items():
        parts.append(_edge(boxes[source], boxes[target], label, width, lane))
        lane += 0 if boxes[target].y > boxes[source].y else 1
    for key, box in boxes.items():
        step = box.step
        shape = 'rx="22"' if step.kind == "end" else 'rx="6"'
        if key == process.start:
            shape += ' stroke-width="2.5"'
        parts.append(
            f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" height="{BOX_H}" '
            f'{shape} fill="{KIND_FILL[step.kind]}" stroke="#333"/>'
        )
        parts.append(_text(box.centre, box.y + 20, step.name))
        detail = _detail(step)
        if detail:
            parts.append(_text(box.centre, box.y + 36, detail, 10))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
