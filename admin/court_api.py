"""`POST /api/v1/cases/{code}/court`: the court's system (or the liaison's tools) records what
the court did with a case the center handed to it (诉调对接, engine/court.py).

The same API key as the rest of the API (one county); the record is the court liaison's action
on the case's open 法院跟踪单, taken through the engine in one transaction, so a record from
the API and one from the web page are the same thing (and only one of two concurrent ones
wins). Bad input is a 422 with field paths, a case not waiting for the court a 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from admin import key_scopes
from admin.api import _caller, _json_body, _unauthorised, case_status_in, forbidden, problem
from admin.scope import CASE, county_id
from admin.workflow import field_errors, refusal, workflow
from engine import court
from engine.court_records import COURT_MATTER
from engine.errors import ActionRefused, ValidationFailed
from engine.scope import system

# what the caller records -> the liaison's action on the 法院跟踪单 (engine/court_forms.py)
RECORDS = {
    "filing": "登记立案",
    "hearing": "登记开庭",
    "result": "登记结果",
    "confirmation": "登记确认结果",
}
WORDS = "filing（立案）、hearing（开庭）、result（法院结果）或 confirmation（司法确认结果）"


async def record_court(request: Request) -> Response:
    caller = _caller(request)
    if caller is None:
        return _unauthorised()
    refused = forbidden(caller, key_scopes.COURT)  # a hotline's key does not decide for the court
    if refused is not None:
        return refused
    body, bad = await _json_body(request)
    if bad is not None:
        return bad
    if not isinstance(body, dict):
        return problem(422, "请求内容有误", [{"path": "", "message": "请求体应为 JSON 对象"}])
    kind = body.get("record")
    if not isinstance(kind, str) or kind not in RECORDS:
        message = f"record 应为 {WORDS}"
        return problem(422, "请求内容有误", [{"path": "record", "message": message}])
    unknown = sorted(k for k in body if k not in COURT_IN["properties"])
    if unknown:
        name = unknown[0][:40]
        message = f"不认识的字段「{name}」：可用 {'、'.join(COURT_IN['properties'])}"
        return problem(422, "请求内容有误", [{"path": name, "message": message}])
    data = {k: v for k, v in body.items() if k != "record"}
    for name in ("filed_on", "hearing_on"):
        if not _sane_day(data.get(name)):
            message = f"「{name}」应为 1949 至 2100 年间的日期，如 2026-11-20"
            return problem(422, "请求内容有误", [{"path": name, "message": message}])
    code = request.path_params["code"]
    db = request.app.state.db
    county = county_id(db, caller.county)
    with db.connect() as conn:
        case_id = conn.execute(
            select(CASE.c.id).where(CASE.c.code == code, CASE.c.county_id == county)
        ).scalar()
        ticket = court.open_ticket_of(conn, int(case_id)) if case_id is not None else None
    if case_id is None:
        return problem(404, "没有该编号的案件，或该案件不属于本密钥所在的县区")
    if ticket is None:
        return problem(409, "该案件没有等待法院处理的事项（未移送法院，或法院结果已登记）")
    who = system(caller.system, caller.county)
    try:
        workflow(request).act(who, ticket, RECORDS[kind], data)
    except ValidationFailed as exc:
        return problem(422, "请求内容有误", field_errors(exc))
    except ActionRefused as exc:
        return problem(409, refusal(exc))
    with db.connect() as conn:
        answer = case_status_in(conn, code, county) or {"code": code}
        answer["court"] = _matter(conn, int(case_id))
    return JSONResponse(answer)


def _sane_day(value: Any) -> bool:
    """Absent, or a date the court could have set (the form checks the format itself)."""
    if value is None:
        return True
    try:
        return 1949 <= date.fromisoformat(str(value)).year <= 2100
    except ValueError:
        return True  # not a date at all: the form's own check says so, with its path


def _matter(conn: Any, case_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(COURT_MATTER)
        .where(COURT_MATTER.c.case_id == case_id)
        .order_by(COURT_MATTER.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None

    def stamp(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "kind": row.kind,
        "route": row.route,
        "after_failed_mediation": row.after_failed_mediation,
        "requested_at": stamp(row.requested_at),
        "court_case_number": row.court_case_number,
        "filed_at": stamp(row.filed_at),
        "hearing_at": stamp(row.hearing_at),
        "decision": row.decision,
        "result": row.result,
        "decided_at": stamp(row.decided_at),
    }


# --- the OpenAPI document's part (admin/api_schema.py adds it) --------------------------------

_STAMP = {"type": ["string", "null"]}
# no control characters in a text (the request layer refuses them: admin/limits.py)
_YEARS = "^(19(49|[5-9][0-9])|20[0-9][0-9]|2100)-"  # the years _sane_day accepts
_TEXT = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
COURT_IN: dict[str, Any] = {
    "type": "object",
    "title": "法院处理情况",
    "description": (
        "record=filing 填 court_case_number、filed_on；hearing 填 hearing_on；result 填 "
        "disposition（结案 / 退回调解）、result；confirmation 填 decision（确认有效 / 不予确认）"
    ),
    "required": ["record"],
    "additionalProperties": False,
    "properties": {
        "record": {"type": "string", "enum": list(RECORDS)},
        "court_case_number": {
            "type": "string",
            "title": "案号",
            "minLength": 2,
            "maxLength": 100,
            "pattern": _TEXT,
        },
        "filed_on": {"type": "string", "format": "date", "pattern": _YEARS, "title": "立案日期"},
        "hearing_on": {"type": "string", "format": "date", "pattern": _YEARS, "title": "开庭日期"},
        "disposition": {"type": "string", "enum": ["结案", "退回调解"]},
        "result": {"type": "string", "title": "法院结果", "maxLength": 500, "pattern": _TEXT},
        "decision": {"type": "string", "enum": ["确认有效", "不予确认"]},
    },
}
COURT_OUT: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/Case"},
        {
            "type": "object",
            "properties": {
                "court": {
                    "type": ["object", "null"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["hand_off", "confirmation"]},
                        "route": {"type": "string"},
                        "after_failed_mediation": {"type": "boolean"},
                        "requested_at": _STAMP,
                        "court_case_number": _STAMP,
                        "filed_at": _STAMP,
                        "hearing_at": _STAMP,
                        "decision": _STAMP,
                        "result": _STAMP,
                        "decided_at": _STAMP,
                    },
                }
            },
        },
    ]
}


def path_item(error: Any, code_pattern: str) -> dict[str, Any]:
    """`/api/v1/cases/{code}/court` in /openapi.json."""
    return {
        "post": {
            "summary": "登记法院处理情况（诉调对接：立案、开庭、结果、司法确认结果）",
            "parameters": [
                {
                    "name": "code",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": code_pattern},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CourtIn"}}
                },
            },
            "responses": {
                "200": {
                    "description": "已登记；案件当前状态与法院事项",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/CourtOut"}}
                    },
                },
                "400": error("请求体不是合法的 JSON，或网址含有控制字符"),
                "401": error("缺少或无效的 API 密钥"),
                "403": error("该密钥不是为登记法院结果签发的（--scope court）"),
                "404": error("无此案件或不属于本县区"),
                "409": error("该案件没有等待法院处理的事项，或该项已由他人登记"),
                "413": error("请求体过大"),
                "422": error("内容校验失败（含字段路径）"),
            },
        }
    }
