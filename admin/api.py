"""The JSON API for other systems (12345 hotline, grid platform, police): push a case, read it.

Bearer API keys belong to one calling system and one county. An `Idempotency-Key` makes a
retried push safe: the answer is recorded under the key (a unique row) in the transaction that
creates the case, so a crash leaves neither, and a retry gets the stored answer for the same
body or creates the case then; a different body under the same key is a 422.
Every refusal is structured JSON with field paths; bad input is never a 500.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import forms
from admin import key_scopes
from admin.accounts import IDEMPOTENCY, Caller, caller_for_token
from admin.api_schema import case_in, openapi
from admin.intake import facts, intake_form, wrong_types
from admin.limits import MAX_API_BODY, Refused, parse_json
from admin.scope import CASE, county_id, county_model
from admin.workflow import field_errors, refusal, workflow
from engine import outbox
from engine.db import as_utc, utcnow, writer
from forms.integers import parse_int

MAX_BODY = MAX_API_BODY  # (the request layer refuses a larger body while it streams)
REQUIRED_FACTS = {
    "channel": "来源渠道",
    "category": "事项类型",
    "severity": "等级",
    "location": "发生地",
}
MAX_CURSOR = (
    2**31 - 1
)  # the outbox id column (an integer on PostgreSQL); /openapi.json says the same
PENDING = 0  # status of a key reserved by an earlier version (it reserved before creating)
PENDING_EXPIRES = timedelta(minutes=2)  # longer than any intake takes


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


def forbidden(caller: Caller, use: str) -> Response | None:
    """403 when the caller's key was not issued for `use` (admin/key_scopes.py)."""
    why = key_scopes.refusal(caller.uses, use)
    return None if why is None else problem(403, why)


def _unauthorised() -> Response:
    response = problem(401, "缺少或无效的 API 密钥：请在 Authorization 头中使用 Bearer <密钥>")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _json_body(request: Request) -> tuple[Any, Response | None]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None, problem(413, f"请求体过大（上限 {MAX_BODY // 1024} KB）")
    try:
        return parse_json(raw), None
    except Refused as refused:
        return None, problem(
            refused.status, refused.message, [{"path": refused.path, "message": refused.message}]
        )


async def push_case(request: Request) -> Response:
    caller = _caller(request)
    if caller is None:
        return _unauthorised()
    refused = forbidden(caller, key_scopes.INTAKE)
    if refused is not None:
        return refused
    body, bad = await _json_body(request)
    if bad is not None:
        return bad
    key = request.headers.get("idempotency-key", "").strip()
    if len(key) > 200:
        return problem(400, "Idempotency-Key 过长（最多 200 个字符）")
    if not key:
        status, answer = _create(request, caller, body, None)
        return JSONResponse(answer, status_code=status)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    claim = Claim(caller.id, key, digest)
    replay = _replay(request, claim)
    if replay is not None:
        return replay
    try:
        status, answer = _create(request, caller, body, claim)
    except IntegrityError:
        # A request with the same key committed first (this one's case rolled back with it):
        # its answer is this one's.
        replay = _replay(request, claim)
        if replay is None:
            raise
        return replay
    return JSONResponse(answer, status_code=status, headers={"Idempotency-Key": key})


@dataclass(frozen=True)
class Claim:
    """An Idempotency-Key as one caller used it, and the digest of the body it came with."""

    caller: int
    key: str
    digest: str

    def record(self, conn: Connection, status: int, answer: dict[str, Any]) -> None:
        """Store the answer; inside the transaction that creates the case, so a crash leaves
        no record without its case and no case without its record (the unique (caller, key)
        row makes a concurrent second request with the key fail and roll back)."""
        conn.execute(
            IDEMPOTENCY.insert().values(
                caller=self.caller,
                key=self.key,
                body_hash=self.digest,
                status=status,
                response=answer,
                created_at=utcnow(),
            )
        )


def _replay(request: Request, claim: Claim) -> Response | None:
    """The answer already recorded for the key (replay, or a refused different body); None
    when there is none yet and the request is to be carried out."""
    db = request.app.state.db
    where = (IDEMPOTENCY.c.caller == claim.caller, IDEMPOTENCY.c.key == claim.key)
    with db.connect() as conn:
        row = conn.execute(select(IDEMPOTENCY).where(*where)).first()
    if row is None:
        return None
    if row.body_hash != claim.digest:
        return problem(
            422,
            "同一个 Idempotency-Key 已用于内容不同的请求：重试时请求体必须与首次完全相同，"
            "新的案件请使用新的 Idempotency-Key",
            [{"path": "", "message": "请求体与该 Idempotency-Key 首次提交的内容不一致"}],
        )
    if row.status == PENDING:
        # Written only by versions before the answer was recorded with the case, which
        # reserved the key first: a reservation older than that is a request that died
        # (killed server) and is no longer in flight; the retry carries it out.
        if utcnow() - as_utc(row.created_at) < PENDING_EXPIRES:
            return problem(409, "同一个 Idempotency-Key 的请求正在处理，请稍后重试")
        with writer(db).begin() as conn:
            conn.execute(delete(IDEMPOTENCY).where(*where, IDEMPOTENCY.c.status == PENDING))
        return None
    headers = {"Idempotency-Key": claim.key, "Idempotent-Replayed": "true"}
    return JSONResponse(row.response, status_code=row.status, headers=headers)


def _refused(
    request: Request, claim: Claim | None, answer: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """A 422, recorded under the key (its own transaction: no case was created) so that a
    retry is answered the same."""
    if claim is not None:
        try:
            with writer(request.app.state.db).begin() as conn:
                claim.record(conn, 422, answer)
        except IntegrityError:
            pass  # a concurrent request with the key recorded first; push_case replays it
    return 422, answer


def _create(
    request: Request, caller: Caller, body: Any, claim: Claim | None
) -> tuple[int, dict[str, Any]]:
    if not isinstance(body, dict):
        errors = [{"path": "", "message": "请求体应为 JSON 对象"}]
        return _refused(
            request, claim, {"status": 422, "message": "请求内容有误", "errors": errors}
        )
    model = county_model(request.app.state.db, caller.county)
    if model is None:
        unpublished = {"status": 422, "message": "本密钥所属县区尚未发布业务配置", "errors": []}
        return _refused(request, claim, unpublished)
    problems = case_form(model).validate(body)
    if problems:
        errors = [{"path": e.path, "message": e.message} for e in problems]
        return _refused(
            request, claim, {"status": 422, "message": "请求内容有误", "errors": errors}
        )
    from engine.errors import ActionRefused, ValidationFailed

    files = _attachments(model, body["data"])
    if files:
        return _refused(request, claim, {"status": 422, "message": "请求内容有误", "errors": files})
    found = {**facts(body["data"], model), **{k: v for k, v in body.items() if k != "data"}}
    wrong = [
        {"path": key if key.split("/")[0] in body else f"data/{key}", "message": message}
        for key, message in wrong_types(found)
    ]
    if wrong:
        return _refused(request, claim, {"status": 422, "message": "请求内容有误", "errors": wrong})
    missing = [
        {"path": key, "message": f"缺少「{label}」：请在请求或 data 中填写"}
        for key, label in REQUIRED_FACTS.items()
        if not found.get(key)
    ]
    if missing:
        return _refused(
            request, claim, {"status": 422, "message": "请求内容有误", "errors": missing}
        )
    answer: dict[str, Any] = {}
    county = county_id(request.app.state.db, caller.county)

    def record(conn: Connection, view: Any) -> None:
        # a key with a callback hears of the case's changes (engine/outbox.py), from now on
        outbox.subscribe(conn, view.id, caller.id)
        answer.update(case_status_in(conn, view.code, county) or {"code": view.code})
        if claim is not None:
            claim.record(conn, 201, answer)

    try:
        workflow(request).receive(
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
            then=record,
        )
    except ValidationFailed as exc:
        errors = [{**e, "path": f"data/{e['path']}".rstrip("/")} for e in field_errors(exc)]
        return _refused(
            request, claim, {"status": 422, "message": "受理表单内容有误", "errors": errors}
        )
    except ActionRefused as exc:
        return _refused(request, claim, {"status": 422, "message": refusal(exc), "errors": []})
    return 201, answer


def _attachments(model: Any, data: Any) -> list[dict[str, str]]:
    """The API takes no files: an attachment reference in data would name a file that was
    never uploaded with it (or another county's), so each one is refused with its path."""
    if model.intake_form not in model.forms:
        return []
    return [
        {"path": f"data/{path}", "message": "接口不接收附件：附件请通过窗口受理或网上受理上传"}
        for path in intake_form(model).attachment_paths(data)
    ]


def _stamp(value: Any) -> str | None:
    return value.isoformat() if value else None


def case_status(request: Request, caller: Caller, code: str) -> dict[str, Any] | None:
    county = county_id(request.app.state.db, caller.county)
    with request.app.state.db.connect() as conn:
        return case_status_in(conn, code, county)


def case_status_in(conn: Connection, code: str, county: int | None) -> dict[str, Any] | None:
    """What the API says of a case, read on the caller's connection (in the intake's own
    transaction, for the answer recorded under an Idempotency-Key)."""
    row = conn.execute(select(CASE).where(CASE.c.code == code, CASE.c.county_id == county)).first()
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


async def get_changes(request: Request) -> Response:
    """The changes feed for systems that poll: the same replies a callback gets (engine/
    outbox.py), about the cases this key pushed, after the cursor `after`, in order."""
    caller = _caller(request)
    if caller is None:
        return _unauthorised()
    unknown = sorted(set(request.query_params) - {"after"})
    if unknown:
        return problem(422, f"不认识的查询参数「{unknown[0][:40]}」：只接受 after")
    raw = request.query_params.get("after", "0")  # absent: from the start; empty: refused
    after = parse_int(raw, 0, MAX_CURSOR)
    if after is None:
        return problem(422, "after 应为非负整数（上次返回的 next）")
    with request.app.state.db.connect() as conn:
        rows = outbox.changes(conn, caller.id, after)
    return JSONResponse(
        {"changes": [json.loads(r.body) for r in rows], "next": rows[-1].id if rows else after}
    )


def case_form(model: Any) -> forms.Form:
    """The county's request schema as a form, `data` being its intake form (compiled once per
    county version: cached by content): the same schema /openapi.json shows that county's
    callers, so a body valid by the document passes here and one that is not is a 422 with
    its path."""
    return forms.load_form(case_in(model), name=f"api-case-in-{model.key}")


async def openapi_json(request: Request) -> Response:
    """With a valid key, the caller's county's document (its allowed values); else generic."""
    caller = _caller(request) if request.headers.get("authorization") else None
    model = county_model(request.app.state.db, caller.county) if caller else None
    return JSONResponse(openapi(model))


def routes() -> list[BaseRoute]:
    from admin.court_api import record_court  # in here: court_api imports this module

    return [
        Route("/api/v1/cases", push_case, methods=["POST"]),
        Route("/api/v1/cases/{code}", get_case, methods=["GET"]),
        Route("/api/v1/cases/{code}/court", record_court, methods=["POST"]),
        Route("/api/v1/changes", get_changes, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
    ]
