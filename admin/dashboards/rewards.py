"""The monthly reward ledger page and its export (调解计件奖励台账, issue 22)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.dashboards.render import download, page
from admin.dashboards.viewer import Viewer, viewer
from dsl.model import OUTCOME_MEANINGS
from engine.reports import ledgers, rewards
from engine.reports.periods import KIND_LABELS

MONTHLY = "计件奖励按月结算：统计周期请选择「月」"


def _monthly(request: Request) -> Viewer:
    v = viewer(request, "month")
    if v.period.kind != "month":
        raise HTTPException(400, MONTHLY)
    return v


async def reward_page(request: Request) -> Response:
    v = _monthly(request)
    with v.db.connect() as conn:
        found = rewards.ledger(conn, v.ctx)
    return page(
        request,
        "rewards.html",
        {
            "v": v,
            "period": v.period,
            "kinds": {"month": KIND_LABELS["month"]},
            "prev_link": v.at(v.period.previous()).link(""),
            "title": "计件奖励",
            "rates": sorted(v.county.reward_rates.items()),
            "meaning_labels": {key: words[0] for key, words in OUTCOME_MEANINGS.items()},
            "ledger": found,
            "line_columns": rewards.LINE_COLUMNS,
            "summary_columns": rewards.SUMMARY_COLUMNS,
            "csv": v.link("/dashboards/export/rewards.csv"),
            "xlsx": v.link("/dashboards/export/rewards.xlsx"),
        },
    )


def reward_export(request: Request, fmt: str) -> Response:
    v = _monthly(request)
    with v.db.connect() as conn:
        found = rewards.ledger(conn, v.ctx)
    name = f"计件奖励台账 {v.period.label}"
    if fmt == "csv":
        body = ledgers.to_csv(rewards.LINE_COLUMNS, found.lines)
        return download(body, f"{name}.csv", "text/csv; charset=utf-8")
    body = ledgers.to_xlsx(rewards.LINE_COLUMNS, found.lines, name)
    return download(body, f"{name}.xlsx", ledgers.XLSX_TYPE)
