"""The key-person register (重点人员) as the web pages call it: each call one transaction in the
principal's county (a record read is a write: it may add the audit event of a full read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from dsl.model import County
from engine import key_persons, versions
from engine.clock import Clock, SystemClock
from engine.db import write_transaction
from engine.scope import Principal

R = TypeVar("R")


class KeyPersons:
    def __init__(self, db: Engine, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    def _write(self, principal: Principal, work: Callable[..., R]) -> R:
        with write_transaction(self.db) as conn:
            county_id, _, county = versions.current_in(conn, principal.county)
            return work(conn, county, county_id, self.clock.now())

    def county(self, principal: Principal) -> County:
        with self.db.connect() as conn:
            _, _, county = versions.current_in(conn, principal.county)
            return county

    def register(self, principal: Principal) -> list[dict[str, Any]]:
        with self.db.connect() as conn:
            county_id, _, county = versions.current_in(conn, principal.county)
            return key_persons.register(conn, county, county_id, principal, self.clock.now())

    def add(self, principal: Principal, values: dict[str, Any]) -> int:
        def work(conn: Connection, county: County, county_id: int, now: datetime) -> int:
            return key_persons.add(conn, county, county_id, principal, values, now)

        return self._write(principal, work)

    def visit(self, principal: Principal, person_id: int, note: Any) -> None:
        def work(conn: Connection, county: County, county_id: int, now: datetime) -> None:
            key_persons.visit(conn, county, county_id, principal, person_id, note, now)

        self._write(principal, work)

    def record(self, principal: Principal, person_id: int) -> dict[str, Any]:
        def work(conn: Connection, county: County, county_id: int, now: datetime) -> dict[str, Any]:
            return key_persons.record(conn, county, county_id, principal, person_id, now)

        return self._write(principal, work)
