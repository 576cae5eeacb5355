"""HTTP handlers of the dashboards: overview, drill-down lists, overdue board, meeting
reports and ledger exports. Every handler reads the viewer's scope first; nothing here
counts or filters in Python what the SQL did not already limit."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from admin.dashboards import pages, rewards, tables
from admin.dashboards.render import download, page
from admin.dashboards.viewer import Viewer, now, viewer
from admin.limits import MAX_PAGE
from engine.reports import figures, kinds, ledgers, lists, overdue, supervision
from engine.reports.figures import DIMENSIONS
from engine.reports.lists import ListError, Selection
from engine.reports.periods import KIND_LABELS
from forms.integers import parse_int

PER_PAGE = 50
MEETINGS = {
    "daily": ("日会商", "day"),
    "weekly": ("周研判", "week"),
    "monthly": ("月分析", "month"),
}


def _dimension(request: Request, default: str) -> str:
    dimension = request.query_params.get("dim", default)
    if dimension not in DIMENSIONS and dimension != kinds.OFFICE_KIND:
        raise HTTPException(400, f"未知的统计维度：{dimension[:20]}")
    return dimension


def _common(v: Viewer) -> dict[str, object]:
    return {
        "v": v,
        "period": v.period,
        "kinds": KIND_LABELS,
        "dimensions": [
            *((k, label) for k, (label, _) in DIMENSIONS.items()),
            (kinds.OFFICE_KIND, kinds.LABEL),
        ],
        "prev_link": v.at(v.period.previous()).link("") if v.period.kind != "custom" else "",
    }


async def overview(request: Request) -> Response:
    v = viewer(request)
    dimension = _dimension(request, "category")
    with v.db.connect() as conn:
        values = pages.dashboard(conn, v, dimension)
    return page(request, "dashboard.html", {**_common(v), **values, "title": "统计看板"})


def _selection(request: Request) -> Selection:
    query = request.query_params
    part = query.get("part", "den")
    if part not in ("num", "den"):
        raise HTTPException(400, "part 只能是 num（分子）或 den（分母）")
    return Selection(
        query.get("metric", ""),
        "num" if part == "num" else "den",
        query.get("dim", ""),
        query.get("value", ""),
    )


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    number = parse_int(text, 1, MAX_PAGE)
    if number is None:
        raise HTTPException(400, f"页码应为正整数（1 到 {MAX_PAGE}）")
    return number


async def case_list(request: Request) -> Response:
    v = viewer(request)
    sel = _selection(request)
    number = _page_number(request)
    try:
        metric = sel.resolve()
        with v.db.connect() as conn:
            total = lists.count(conn, v.ctx, sel)
            rows = list(
                lists.rows(conn, v.ctx, sel, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
            )
    except ListError as error:
        raise HTTPException(400, str(error)) from None
    part = "" if not metric.is_rate else ("（分子）" if sel.part == "num" else "（分母）")
    heading = f"{metric.label}{part}"
    if sel.dimension:
        name = tables.display_name(v, sel.dimension, sel.value)
        heading += f" · {tables.dimension_label(sel.dimension)}：{name}"
    query = {"metric": sel.metric, "part": sel.part, "dim": sel.dimension, "value": sel.value}
    return page(
        request,
        "cases.html",
        {
            **_common(v),
            "title": "案件清单",
            "heading": heading,
            "columns": lists.columns_for(sel),
            "rows": rows,
            "total": total,
            "page": number,
            "pages": max((total + PER_PAGE - 1) // PER_PAGE, 1),
            "query": query,
            "csv": v.link("/dashboards/export/cases.csv", **query),
            "xlsx": v.link("/dashboards/export/cases.xlsx", **query),
        },
    )


async def overdue_board(request: Request) -> Response:
    v = viewer(request)
    with v.db.connect() as conn:
        lanes = overdue.board(conn, v.ctx, now(request))
        offices = supervision.by_office(conn, v.ctx)  # 督办单 per office in the period
    return page(
        request,
        "overdue.html",
        {
            **_common(v),
            "title": "超期督办",
            "lanes": lanes,
            "columns": overdue.BOARD_COLUMNS,
            "supervision": offices,
            "supervision_columns": supervision.COLUMNS,
        },
    )


async def meeting(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in MEETINGS:
        raise HTTPException(404, "没有这种会商报告")
    title, default_period = MEETINGS[kind]
    v = viewer(request, default_period)
    with v.db.connect() as conn:
        values = pages.meeting(conn, v, kind)
        if kind == "daily":
            values["lanes"] = overdue.board(conn, v.ctx, now(request))
            values["board_columns"] = overdue.BOARD_COLUMNS
    return page(request, "meeting.html", {**_common(v), **values, "title": title, "kind": kind})


def _export(
    name: str, fmt: str, columns: ledgers.Columns, rows: list[dict[str, object]]
) -> Response:
    if fmt == "csv":
        return download(ledgers.to_csv(columns, rows), f"{name}.csv", "text/csv; charset=utf-8")
    return download(ledgers.to_xlsx(columns, rows, name), f"{name}.xlsx", ledgers.XLSX_TYPE)


async def export(request: Request) -> Response:
    what, fmt = request.path_params["what"], request.path_params["fmt"]
    if what == "rewards" and fmt in ("csv", "xlsx"):  # 计件奖励台账 (issue 22)
        return rewards.reward_export(request, fmt)
    if fmt not in ("csv", "xlsx") or what not in ("cases", "table", "overdue"):
        raise HTTPException(404, "没有这种台账")
    v = viewer(request)
    stamp = v.period.label
    with v.db.connect() as conn:
        if what == "cases":
            sel = _selection(request)
            try:
                columns = lists.columns_for(sel)
                rows = list(lists.rows(conn, v.ctx, sel, limit=ledgers.MAX_ROWS))
            except ListError as error:
                raise HTTPException(400, str(error)) from None
            return _export(f"案件台账 {stamp}", fmt, columns, rows)
        if what == "overdue":
            board = overdue.board(conn, v.ctx, now(request))
            flat = [row for lane in board for row in lane.rows]
            return _export("超期督办台账", fmt, overdue.BOARD_COLUMNS, flat)
        dimension = _dimension(request, "category")
        if dimension == "center":
            dim, raw = pages.by_center(conn, v)
        elif dimension == kinds.OFFICE_KIND:
            dim, raw = dimension, kinds.fold(v.county, figures.compute(conn, v.ctx, "office"))
        else:
            dim, raw = dimension, figures.compute(conn, v.ctx, dimension)
    header, body = tables.ledger(tables.table(v, raw, dim), dim)
    return _export(f"统计表 按{tables.dimension_label(dim)} {stamp}", fmt, header, body)
