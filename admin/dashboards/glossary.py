"""统计口径说明: what each figure of the dashboards counts, in the words a leader reads them.

Kept beside engine.reports.figures.METRICS (a test checks every metric is explained here); the
period rule and the cohorts are those of docs/dashboards.md."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from admin.dashboards.render import page
from admin.dashboards.viewer import viewer
from engine.reports.figures import METRICS

# metric key -> (分子, 分母或计数范围)
EXPLAINED: dict[str, tuple[str, str]] = {
    "received": ("—", "本期受理的案件数"),
    "closed": ("—", "本期办结的案件数"),
    "resolution": ("本期办结且化解成功的案件", "本期办结的案件"),
    "mediation": ("本期办结、经过调解且调解成功的案件", "本期办结且经过调解的案件"),
    "on_time": (
        "本期办结且未超过办结期限的案件",
        "本期办结的案件，加上期末仍未办结且已超期的案件（拖着不办不会提高按时办结率）",
    ),
    "satisfaction": ("评价为“满意”或“基本满意”的案件", "本期办结且有评价的案件（未评价的不计）"),
    "acceptance": ("本期完成且被接下的接单", "本期完成的接单（接下的与退回的）"),
    "completion": ("本期受理、期末前已办结的案件", "本期受理的案件"),
    "one_place": (
        "化解成功且未引导到其他机关（仲裁、复议、诉讼等）的案件",
        "本期办结且化解成功的案件",
    ),
    "one_visit": ("化解成功且来访不超过 1 次的案件", "本期办结且化解成功的案件"),
    "zero_visit": ("化解成功且没有来访（网上、电话办结）的案件", "本期办结且化解成功的案件"),
    "grassroots": ("在村（社区）、乡镇（街道）两级化解的案件", "本期办结且化解成功的案件"),
    "repeat_party": ("同一当事人（姓名与电话相同）在本期还有其他案件的案件", "本期受理的案件"),
    "repeat_place": ("同一地点同类事项在本期还有其他案件的案件", "本期受理的案件"),
    "overdue_open": ("—", "期末仍未办结且已超过办结期限的案件数"),
}


async def glossary_page(request: Request) -> Response:
    viewer(request)  # staff only, as every dashboard page
    rows = [(m.label, *EXPLAINED[m.key], m.is_rate) for m in METRICS]
    return page(request, "glossary.html", {"title": "统计口径说明", "rows": rows})
