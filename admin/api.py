"""The JSON API for other systems (12345 hotline, grid platform, police): push a case, read it.

Bearer API keys belong to one calling system and one county. An `Idempotency-Key` makes a
retried push safe: the key is reserved before the case is created (a unique row), and the
stored answer is replayed for the same body; a different body under the same key is a 422.
Every refusal is structured JSON with field paths; bad input is never a 500.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import forms
from admin.accounts import IDEMPOTENCY, Caller, caller_for_token
from admin.api_schema import CASE_IN, openapi
from admin.intake import facts
from admin.scope import CASE, county_id, county_model
from admin.workflow import field_errors, refusal, workflow
from engine.db import utcnow, writer

MAX_BODY = 256 * 1024
_case_form = forms.load_form(CASE_IN, name="api-case-in")
REQUIRED_FACTS = {
    "channel": "来源渠道",
    "category": "事项类型",
    "severity": "等级",
    "location": "发生地",
}
PENDING = 0  # status of a reserved idempotency key whose case is being created


def problem(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def _caller(request: Request) -> Caller | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return caller_for_token(request.app.state.db, token.strip())


def _unauthorised() -> Response:
    response = problem(401, "缺少或无效的 API 密钥：请在 Authorization 头中使用 Bearer <密钥>")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _json_body(request: Request) -> tuple[Any, Response | None]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None, problem(413, f"请求体过大（上限 {MAX_BODY // 1024} KB）")
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError) as exc:
        where = [{"path": "", "message": f"请求体不是合法的 JSON：{exc}"}]
        return None, problem(400, "请求体不是合法的 JSON", where)


async def push_case(request: Request) -> Response:
    caller = _caller(request)
    if caller is None:
        return _unauthorised()
    body, bad = await _json_body(request)
    if bad is not None:
        return bad
    key = request.headers.get("idempotency-key", "").strip()
    if len(key) > 200:
        return problem(400, "Idempotency-Key 过长（最多 200 个字符）")
    if not key:
        status, answer = _create(request, caller, body)
        return JSONResponse(answer, status_code=status)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    replay = _reserve(request, caller, key, digest)
    if replay is not None:
        return replay
    try:
        status, answer = _create(request, caller, body)
    except BaseException:
        _release(request, caller, key)
        raise
    _remember(request, caller, key, status, answer)
    return JSONResponse(answer, status_code=status, headers={"Idempotency-Key": key})


def _reserve(request: Request, caller: Caller, key: str, digest: str) -> Response | None:
    """Claim the key; None when claimed, else the answer to give (replay, conflict, mismatch)."""
    db = request.app.state.db
    try:
        with writer(db).begin() as conn:
            conn.execute(
                IDEMPOTENCY.insert().values(
                    caller=caller.id,
                    key=key,
                    body_hash=digest,
                    status=PENDING,
                    response={},
                    created_at=utcnow(),
                )
            )
        return None
    except IntegrityError:
        pass
    with db.connect() as conn:
        row = conn.execute(
            select(IDEMPOTENCY).where(IDEMPOTENCY.c.caller == caller.id, IDEMPOTENCY.c.key == key)
        ).one()
    if row.body_hash != digest:
        return problem(
            422,
            "同一个 Idempotency-Key 已用于内容不同的请求：重试时请求体必须与首次完全相同，"
            "新的案件请使用新的 Idempotency-Key",
            [{"path": "", "message": "请求体与该 Idempotency-Key 首次提交的内容不一致"}],
        )
    if row.status == PENDING:
        return problem(409, "同一个 Idempotency-Key 的请求正在处理，请稍后重试")
    headers = {"Idempotency-Key": key, "Idempotent-Replayed": "true"}
    return JSONResponse(row.response, status_code=row.status, headers=headers)


def _remember(request: Request, caller: Caller, key: str, status: int, answer: Any) -> None:
    with writer(request.app.state.db).begin() as conn:
        conn.execute(
            update(IDEMPOTENCY)
            .where(IDEMPOTENCY.c.caller == caller.id, IDEMPOTENCY.c.key == key)
            .values(status=status, response=answer)
        )


def _release(request: Request, caller: Caller, key: str) -> None:
    with writer(request.app.state.db).begin() as conn:
        conn.execute(
            delete(IDEMPOTENCY).where(IDEMPOTENCY.c.caller == caller.id, IDEMPOTENCY.c.key == key)
        )


def _create(request: Request, caller: Caller, body: Any) -> tuple[int, dict[str, Any]]:
    if not isinstance(body, dict):
        errors = [{"path": "", "message": "请求体应为 JSON 对象"}]
        return 422, {"status": 422, "message": "请求内容有误", "errors": errors}
    problems = _case_form.validate(body)
    if problems:
        errors = [{"path": e.path, "message": e.message} for e in problems]
        return 422, {"status": 422, "message": "请求内容有误", "errors": errors}
    from engine.errors import ActionRefused, ValidationFailed

    model = county_model(request.app.state.db, caller.county)
    if model is None:
        return 422, {"status": 422, "message": "本密钥所属县区尚未发布业务配置", "errors": []}
    found = {**facts(body["data"], model), **{k: v for k, v in body.items() if k != "data"}}
    missing = [
        {"path": key, "message": f"缺少「{label}」：请在请求或 data 中填写"}
        for key, label in REQUIRED_FACTS.items()
        if not found.get(key)
    ]
    if missing:
        return 422, {"status": 422, "message": "请求内容有误", "errors": missing}
    try:
        view = workflow(request).receive(
            caller.system,
            caller.county,
            channel=found["channel"],
            category=found["category"],
            severity=found["severity"],
            location=found["location"],
            parties=found.get("parties") or [],
            data=body["data"],
            visits=0,
            center=found.get("center") or caller.center,
        )
    except ValidationFailed as exc:
        errors = [{**e, "path": f"data/{e['path']}".rstrip("/")} for e in field_errors(exc)]
        return 422, {"status": 422, "message": "受理表单内容有误", "errors": errors}
    except ActionRefused as exc:
        return 422, {"status": 422, "message": refusal(exc), "errors": []}
    return 201, case_status(request, caller, view.code) or {"code": view.code}


def _stamp(value: Any) -> str | None:
    return value.isoformat() if value else None


def case_status(request: Request, caller: Caller, code: str) -> dict[str, Any] | None:
    county = county_id(request.app.state.db, caller.county)
    with request.app.state.db.connect() as conn:
        row = conn.execute(
            select(CASE).where(CASE.c.code == code, CASE.c.county_id == county)
        ).first()
    if row is None:
        return None
    return {
        "code": row.code,
        "status": row.status,
        "step": row.step,
        "level": row.level,
        "center": row.center,
        "office": row.office,
        "category": row.category,
        "severity": row.severity,
        "channel": row.channel,
        "received_at": _stamp(row.received_at),
        "due_at": _stamp(row.due_at),
        "closed_at": _stamp(row.closed_at),
        "outcome": row.outcome,
        "satisfaction": row.satisfaction,
        "url": f"/api/v1/cases/{row.code}",
    }


async def get_case(request: Request) -> Response:
    caller = _caller(request)
    if caller is None:
        return _unauthorised()
    found = case_status(request, caller, request.path_params["code"])
    if found is None:
        return problem(404, "没有该编号的案件，或该案件不属于本密钥所在的县区")
    return JSONResponse(found)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi())


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/cases", push_case, methods=["POST"]),
        Route("/api/v1/cases/{code}", get_case, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
    ]
