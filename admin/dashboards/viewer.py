"""The request's viewer: signed-in user, their county's compiled tree, scope and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin import scope as web_scope
from admin.auth import require_user
from dsl.model import County
from engine.reports import periods
from engine.reports.cohorts import Context
from engine.reports.periods import Period
from engine.reports.scope import Scope, scope_for


def county_model(db: Engine, code: str) -> County | None:
    """The county's current compiled definition (a seam the tests replace)."""
    model: County | None = web_scope.county_model(db, code)
    return model


def county_row_id(db: Engine, code: str) -> int | None:
    return web_scope.county_id(db, code)


def now(request: Request) -> datetime:
    """The app's clock when it has one (tests travel in time), else the system clock."""
    clock = getattr(request.app.state, "clock", None)
    moment: datetime = clock.now() if clock is not None else datetime.now(UTC)
    return moment


def today(request: Request) -> date:
    """Today in China, by the app's clock."""
    return periods.local_today(now(request))


@dataclass(frozen=True)
class Viewer:
    user: Any
    db: Engine
    ctx: Context
    params: dict[str, str]  # the period parameters, to carry into every link

    @property
    def county(self) -> County:
        return self.ctx.county

    @property
    def scope(self) -> Scope:
        return self.ctx.scope

    @property
    def period(self) -> Period:
        return self.ctx.period

    def link(self, path: str, **extra: str) -> str:
        """`path` with the period parameters and `extra` (empty values left out).

        Pages hold hundreds of links (every number drills down), so the period part is
        encoded once per viewer and only the extras per link."""
        parts = [_encoded(self.params)] if self.params else []
        parts += [f"{key}={quote(value)}" for key, value in extra.items() if value]
        return f"{path}?{'&'.join(parts)}" if parts else path

    def at(self, period: Period) -> Viewer:
        """The same viewer looking at another period."""
        params = {"period": period.kind, "day": period.first.isoformat()}
        if period.kind == "custom":
            params["last"] = period.last.isoformat()
        ctx = Context(self.ctx.county_id, period, self.scope, self.ctx.now)
        return Viewer(self.user, self.db, ctx, params)


def _encoded(params: dict[str, str]) -> str:
    return _encode_items(tuple(params.items()))


@lru_cache(maxsize=256)
def _encode_items(items: tuple[tuple[str, str], ...]) -> str:
    return urlencode(items)


def viewer(request: Request, default_kind: str = "month") -> Viewer:
    """Who is looking at which period; clear Chinese 400/404 for anything unusable."""
    user = require_user(request)
    db: Engine = request.app.state.db
    model = county_model(db, user.county)
    county_id = county_row_id(db, user.county)
    if model is None or county_id is None:
        raise HTTPException(404, f"本县（{user.county}）尚未发布配置，暂无统计数据。")
    query = request.query_params
    kind = query.get("period", default_kind)
    try:
        period = periods.parse(kind, query.get("day", ""), query.get("last", ""), today(request))
    except periods.PeriodError as error:
        raise HTTPException(400, str(error)) from None
    params = {"period": period.kind, "day": period.first.isoformat()}
    if period.kind == "custom":
        params["last"] = period.last.isoformat()
    ctx = Context(county_id, period, scope_for(model, user), now(request))
    return Viewer(user, db, ctx, params)
