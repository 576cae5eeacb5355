"""The prevention service (排查预警) the web pages and the acceptance steps call: each change
is one write transaction, each read scoped to the principal's county and memberships."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select

from engine import correlation, national_calendar, queries, risks, screening, versions
from engine.clock import Clock, SystemClock
from engine.db import write_transaction
from engine.errors import ActionRefused, NotFound
from engine.prevention_tables import SCREENING_TASK as TASK
from engine.prevention_tables import WARNING
from engine.registry import COUNTY_T as COUNTY
from engine.scope import Principal
from engine.views import CaseView
from engine.warning_letters import of_warnings  # 预警函 (issue 21.5)

R = TypeVar("R")
LIST_LIMIT = 200


def _county_id(conn: Connection, county_key: str) -> int:
    found = conn.execute(select(COUNTY.c.id).where(COUNTY.c.code == county_key)).scalar()
    if found is None:
        raise NotFound(f"没有县区「{county_key}」，请先发布其流程定义")
    return int(found)


class Prevention:
    def __init__(self, db: Engine, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    def _write(self, work: Callable[[Connection, datetime], R]) -> R:
        with write_transaction(self.db) as conn, national_calendar.checked_in(conn):
            return work(conn, self.clock.now())

    # --- screening -----------------------------------------------------------------------

    def tasks(self, principal: Principal, *, open_only: bool = True) -> list[dict[str, Any]]:
        """The principal's screening tasks, the most urgent first."""
        with self.db.connect() as conn:
            county_id = _county_id(conn, principal.county)
            query = select(TASK).where(
                TASK.c.county_id == county_id, screening.task_clause(principal)
            )
            if open_only:
                query = query.where(TASK.c.state == "open")
            rows = conn.execute(query.order_by(TASK.c.due_at, TASK.c.id).limit(LIST_LIMIT))
            return [dict(row) for row in rows.mappings()]

    def task(self, principal: Principal, task_id: int) -> dict[str, Any]:
        with self.db.connect() as conn:
            county_id = _county_id(conn, principal.county)
            row = (
                conn.execute(
                    select(TASK).where(
                        TASK.c.id == task_id,
                        TASK.c.county_id == county_id,
                        screening.task_clause(principal),
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise ActionRefused("没有这个排查任务，或它不是派给您的")
        return dict(row)

    def record(self, principal: Principal, task_id: int, result: Any) -> dict[str, Any]:
        def work(conn: Connection, now: datetime) -> dict[str, Any]:
            county_id, _, county = versions.current_in(conn, principal.county)
            return screening.record(conn, county, county_id, task_id, principal, result, now)

        return self._write(work)

    def found_case(self, principal: Principal, task_id: int) -> CaseView:
        """One click: the dispute the task found becomes a case (channel 排查)."""

        def work(conn: Connection, now: datetime) -> CaseView:
            county_id, version_id, county = versions.current_in(conn, principal.county)
            move = screening.found_case(
                conn,
                county,
                county_id=county_id,
                version_id=version_id,
                task_id=task_id,
                principal=principal,
                now=now,
            )
            return queries.case_view(conn, move.case_id, move.case, county.key)

        return self._write(work)

    def coverage(self, county_key: str, start: datetime, end: datetime) -> screening.Coverage:
        with self.db.connect() as conn:
            county_id = _county_id(conn, county_key)
            return screening.coverage(conn, county_id, start, end, self.clock.now())

    # --- warnings ------------------------------------------------------------------------

    def warnings(self, principal: Principal, *, open_only: bool = True) -> list[dict[str, Any]]:
        """The warning work orders of the principal's centers and roles, newest first."""
        with self.db.connect() as conn:
            county_id = _county_id(conn, principal.county)
            query = select(WARNING).where(
                WARNING.c.county_id == county_id, correlation.warning_clause(principal)
            )
            if open_only:
                query = query.where(WARNING.c.state == "open")
            rows = conn.execute(query.order_by(WARNING.c.id.desc()).limit(LIST_LIMIT))
            found = [dict(row) for row in rows.mappings()]
            # the 预警函 each warning issued (issue 21.5)
            issued = of_warnings(conn, [int(row["id"]) for row in found])
            for row in found:
                row["letters"] = issued.get(int(row["id"]), [])
            return found

    def open_warnings(self, principal: Principal) -> int:
        with self.db.connect() as conn:
            county_id = _county_id(conn, principal.county)
            return int(
                conn.execute(
                    select(func.count()).where(
                        WARNING.c.county_id == county_id,
                        WARNING.c.state == "open",
                        correlation.warning_clause(principal),
                    )
                ).scalar_one()
            )

    def close_warning(self, principal: Principal, warning_id: int, note: str) -> None:
        def work(conn: Connection, now: datetime) -> None:
            county_id = _county_id(conn, principal.county)
            correlation.close(conn, county_id, warning_id, principal, note, now)

        self._write(work)

    # --- the risk register (矛盾风险清单) ------------------------------------------------------

    def risks(self, principal: Principal, *, open_only: bool = True) -> list[dict[str, Any]]:
        with self.db.connect() as conn:
            county_id, _, county = versions.current_in(conn, principal.county)
            return risks.items(conn, county, county_id, principal, open_only=open_only)

    def risk(self, principal: Principal, item_id: int) -> tuple[dict[str, Any], list[Any]]:
        """The item (open or closed) and its history; NotFound outside the principal's scope."""
        with self.db.connect() as conn:
            county_id, _, county = versions.current_in(conn, principal.county)
            row = (
                conn.execute(
                    select(risks.RISK_ITEM).where(
                        risks.RISK_ITEM.c.id == item_id,
                        risks.RISK_ITEM.c.county_id == county_id,
                        risks.risk_clause(county, principal),
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound("没有这个风险事项，或它不在您的工作范围内")
            return dict(row), risks.history(conn, item_id)

    def open_risk(self, principal: Principal, values: dict[str, Any]) -> int:
        def work(conn: Connection, now: datetime) -> int:
            county_id, _, county = versions.current_in(conn, principal.county)
            return risks.open_item(conn, county, county_id, principal, values, now)

        return self._write(work)

    def regrade_risk(self, principal: Principal, item_id: int, grade: Any, reason: Any) -> None:
        def work(conn: Connection, now: datetime) -> None:
            county_id, _, county = versions.current_in(conn, principal.county)
            risks.regrade(conn, county, county_id, item_id, principal, grade, reason, now)

        self._write(work)

    def close_risk(self, principal: Principal, item_id: int, reason: Any) -> None:
        def work(conn: Connection, now: datetime) -> None:
            county_id, _, county = versions.current_in(conn, principal.county)
            risks.close_item(conn, county, county_id, item_id, principal, reason, now)

        self._write(work)
