"""The engine's public face: one object per application, holding the database and the clock.

Every method that changes state is one write transaction (`engine.db.writer`), so a failure
anywhere inside leaves the previous state intact. Reads are scoped to the principal in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy import Engine as DbEngine

from dsl.model import Duration
from engine import (
    actions,
    evaluation,
    intake,
    loading,
    national_calendar,
    pauses,
    queries,
    supervision,
    versions,
    worklists,
)
from engine import visits as citizen_visits  # `visits` is also receive()'s count argument
from engine.clock import Clock, SystemClock
from engine.db import write_transaction
from engine.errors import NotFound
from engine.flow import Move
from engine.scope import Principal
from engine.timers import TimerRow
from engine.views import ActionOption, CaseRow, CaseView, EventView, Page, PublicProgress, TicketRow

R = TypeVar("R")


class Engine:
    def __init__(self, db: DbEngine, clock: Clock | None = None) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()

    # --- plumbing ----------------------------------------------------------------------------

    def _write(self, work: Callable[[Connection, datetime], R]) -> R:
        """One write transaction; the clock is read once so the whole change has one time."""
        with write_transaction(self.db) as conn, national_calendar.checked_in(conn):
            return work(conn, self.clock.now())  # deadlines see the holiday table as it is now

    def _change(
        self,
        work: Callable[[Connection, datetime], Move],
        then: Callable[[Connection, CaseView], None] | None = None,
    ) -> CaseView:
        """A write transaction that moves one case; the view is built in the same transaction
        from the case row the change just wrote (its tickets and parties are read). `then`
        adds the caller's own writes to that transaction: they commit with the case, or
        neither does."""
        # pipelined: fewer round trips on PostgreSQL (engine.pipeline), the same statements
        with (
            write_transaction(self.db, pipelined=True) as conn,
            national_calendar.checked_in(conn),
        ):
            move = work(conn, self.clock.now())
            view = queries.case_view(conn, move.case_id, move.case, move.county.key)
            if then is not None:
                then(conn, view)
            return view

    # --- intake -------------------------------------------------------------------------------

    def receive(
        self,
        principal_or_system_name: Principal | str,
        county_key: str,
        *,
        channel: str,
        window: str | None = None,
        category: str,
        severity: str,
        location: str,
        parties: list[dict[str, Any]],
        data: dict[str, Any],
        visits: int = 1,
        center: str | None = None,
        then: Callable[[Connection, CaseView], None] | None = None,
    ) -> CaseView:
        """Receive a case: validate the intake form, route, open the first step, set deadlines
        and timers, write events. Raises ValidationFailed / ActionRefused (Chinese). `then`
        runs in the same transaction once the case is written (the API records its
        Idempotency-Key answer there, so a crash leaves neither or both)."""
        actor = principal_or_system_name
        name = actor if isinstance(actor, str) else actor.username
        if center is None and isinstance(actor, Principal) and actor.memberships:
            center = actor.memberships[0].center

        def work(conn: Connection, now: datetime) -> Move:
            county_id, version_id, county = versions.current_in(conn, county_key)
            return intake.receive(
                conn,
                county,
                county_id=county_id,
                version_id=version_id,
                now=now,
                actor=name,
                channel=channel,
                window=window,
                category=category,
                severity=severity,
                location=location,
                parties=parties,
                data=data,
                visits=visits,
                center=center,
            )

        return self._change(work, then)

    # --- tickets ------------------------------------------------------------------------------

    def available_actions(self, principal: Principal, ticket_id: int) -> list[ActionOption]:
        """What this principal may do on the ticket now ([] when nothing or not theirs)."""
        with self.db.connect() as conn:
            try:
                loaded = loading.ticket(conn, ticket_id, lock=False)
            except NotFound:
                return []
        return actions.available(principal, loaded)

    def act(
        self,
        principal: Principal,
        ticket_id: int,
        action_key: str,
        data: dict[str, Any],
        *,
        reason: str = "",
        expected_state: str = "open",
    ) -> CaseView:
        """Take an action on a ticket: validate its form, finish the ticket, move the case —
        one transaction. Of two concurrent actors one wins; the other gets
        ActionRefused("该单已由 张三 于 2026-11-20 10:31 办理")."""
        return self._change(
            lambda conn, now: actions.act(
                conn,
                principal,
                ticket_id,
                action_key,
                data,
                reason=reason,
                expected_state=expected_state,
                now=now,
            )
        )

    def claim(self, principal: Principal, ticket_id: int) -> None:
        """Sign for a ticket (签收): others can no longer act on it."""
        self._write(lambda conn, now: actions.claim(conn, principal, ticket_id, now))

    def suspend(
        self, principal: Principal, ticket_id: int, *, reason: str, approver: str = ""
    ) -> CaseView:
        """Stop the case's clock (中止) when the deadline rule allows it; recorded with reason
        and approver; stage timers wait until `resume`."""
        return self._change(
            lambda conn, now: pauses.suspend(
                conn, principal, ticket_id, reason=reason, approver=approver, now=now
            )
        )

    def resume(self, principal: Principal, ticket_id: int, *, reason: str = "") -> CaseView:
        """Restart a suspended case: due times move by the time (working time) it was stopped."""
        return self._change(
            lambda conn, now: pauses.resume(conn, principal, ticket_id, reason=reason, now=now)
        )

    def extend(
        self,
        principal: Principal,
        ticket_id: int,
        *,
        amount: Duration,
        reason: str,
        approver: str = "",
    ) -> CaseView:
        """Give the ticket (and the case if needed) more time (延期), recorded."""
        return self._change(
            lambda conn, now: pauses.extend(
                conn, principal, ticket_id, amount=amount, reason=reason, approver=approver, now=now
            )
        )

    # --- visits -------------------------------------------------------------------------------

    def record_visit(self, principal: Principal, code: str, *, note: str = "") -> CaseView:
        """Count one more in-person visit (再次来访) on a case the principal may see, on any
        status: visits + 1 and a "visited" event with the count before and after. Raises
        NotFound for a case they may not see, ActionRefused for a note over 500 characters."""
        return self._change(
            lambda conn, now: citizen_visits.record(conn, principal, code, note=note, now=now)
        )

    # --- supervision (督办, engine/supervision.py) ----------------------------------------------

    def supervise(
        self,
        principal: Principal,
        code: str,
        *,
        office: str,
        reason: str,
        days: int | None = None,
    ) -> CaseView:
        """Issue a 督办单 on a case in the principal's supervision scope to `office`, with a
        reason and a reply deadline (`days` working days, else the county's default). Raises
        NotFound for a case they may not see, ActionRefused for anything else wrong."""
        return self._change(
            lambda conn, now: supervision.issue(
                conn, principal, code, office=office, reason=reason, days=days, now=now
            )
        )

    # --- evaluation and revisits -------------------------------------------------------------

    def evaluate(
        self,
        case_code: str,
        score: str,
        *,
        by: str = "party",
        token: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> CaseView:
        """Record the party's or center's score (and the rest of the evaluation form, `data`);
        a low score follows up or reopens."""
        return self._change(
            lambda conn, now: evaluation.evaluate(
                conn, case_code, score, by=by, token=token, now=now, data=data
            )
        )

    def evaluation_link_state(self, case_code: str, token: str) -> str:
        """ "unused", "used" or "unknown": what the citizen's link page says before the form."""
        with self.db.connect() as conn:
            return evaluation.token_state(conn, case_code, token)

    def evaluation_token(self, case_code: str) -> str:
        """A one-time token for the citizen's evaluation link (only its hash is stored)."""

        def work(conn: Connection, now: datetime) -> str:
            return evaluation.new_token(conn, evaluation.require_case(conn, case_code), now)

        return self._write(work)

    def sample_revisits(
        self, county_key: str, period_start: datetime, period_end: datetime
    ) -> list[str]:
        """Open revisit tickets (核单) for all or a random sample of the cases closed in the
        period, as the definition says; returns the chosen case codes."""
        county_id, _, county = versions.current_version(self.db, county_key)
        return self._write(
            lambda conn, now: evaluation.sample(
                conn, county, county_id, period_start, period_end, now
            )
        )

    # --- timers -------------------------------------------------------------------------------

    def fire_timer(self, conn: Connection, timer_row: TimerRow, now: datetime) -> None:
        """The handler for timers.fire_due: reminders, colours, supervision, escalation."""
        from engine import firing

        firing.fire(conn, timer_row, now)

    # --- reading ------------------------------------------------------------------------------

    def case(self, principal: Principal, code: str) -> CaseView | None:
        """The case, or None when it does not exist or the principal may not see it."""
        with self.db.connect() as conn:
            case_id = queries.visible_case(conn, principal, code)
            return None if case_id is None else queries.case_view(conn, case_id)

    def timeline(self, principal: Principal, code: str) -> list[EventView]:
        with self.db.connect() as conn:
            case_id = queries.visible_case(conn, principal, code)
            return [] if case_id is None else queries.timeline(conn, case_id)

    def inbox(
        self,
        principal: Principal,
        *,
        tab: str = "todo",
        filters: dict[str, Any] | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> Page[TicketRow]:
        """Tickets of one tab (todo/done/overdue/supervised), scoped in SQL, soonest due first."""
        county_id, _, county = versions.current_version(self.db, principal.county)
        with self.db.connect() as conn:
            return worklists.inbox(
                conn,
                principal,
                county_id,
                county,
                tab=tab,
                filters=filters or {},
                page=page,
                per_page=per_page,
                now=self.clock.now(),
            )

    def search(self, principal: Principal, text: str) -> list[CaseRow]:
        """Cases by code, party name or phone, among those the principal may see."""
        county_id, _, county = versions.current_version(self.db, principal.county)
        with self.db.connect() as conn:
            return worklists.search(conn, principal, county_id, county, text)

    def progress(self, code: str, phone: str) -> PublicProgress | None:
        """The citizen's lookup: stage and deadlines only, when the phone is a party's."""
        with self.db.connect() as conn:
            return worklists.progress(conn, loading.model_of, code, phone)
