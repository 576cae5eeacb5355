"""Periodic duties (定时任务) run by the timer worker, exactly once per county, job and period.

A *job kind* (registered here by the module that owns the duty, e.g. engine.revisit_job) reads
a county's current definition and returns the jobs it declares, each with its period (day, week
or month on the county's local time, engine.periods). Every poll of every worker computes which
period each job is due for and runs the ones not yet done.

Exactly once: a job run is a row of `job_run`, UNIQUE on (county, job, period). A worker claims
the run by inserting that row in the same transaction as the job's work and marks it done at
the end; the transaction commits both or neither. A crash leaves no row (the next poll runs the
job again, with nothing half written); a second worker's insert conflicts (on PostgreSQL it waits
for the first transaction, then finds the row; on SQLite the write lock queues them) and skips.
A job that fails is rolled back, then its error is recorded on the row (status `failed`) in a
transaction of its own; the run is retried after RETRY_AFTER by a guarded update of that row.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from dsl.model import County
from engine import driver, periods, versions
from engine.db import Base, UTCDateTime, writer
from engine.periods import Period, PeriodKind
from engine.registry import COUNTY_T as COUNTY
from engine.registry import VERSION_T as VERSION

log = logging.getLogger(__name__)

# Modules that register job kinds when imported (the worker and the console import them).
JOB_MODULES: tuple[str, ...] = (
    "engine.revisit_job",
    "engine.screening",  # 排查 rounds (prevention)
    "engine.correlation_job",  # 预警: correlate the cases received yesterday again
)
RETRY_AFTER = timedelta(minutes=10)
ERROR_MAX = 1000


class JobRun(Base):
    """One run of one county's job for one period: claimed, worked and marked in one commit."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("county_id", "job", "period"),
        Index("ix_job_run_period", "period"),  # each poll reads the runs of the due periods
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    job: Mapped[str] = mapped_column(String(200))  # Job.key, e.g. "回访抽样:普陀调处/回访"
    period: Mapped[str] = mapped_column(String(20))  # Period.key, e.g. "2026-11"
    status: Mapped[str] = mapped_column(String(10))  # done | failed (running only inside)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=1)
    result: Mapped[str | None] = mapped_column(Text)  # what it did, in Chinese
    error: Mapped[str | None] = mapped_column(Text)  # the last failure, while failed
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


JOB_RUN = cast(Table, JobRun.__table__)


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One periodic duty a county's definition declares."""

    key: str  # unique in the county and stable across versions: it names the job's runs
    title: str  # what the console shows, e.g. 「回访抽样：普陀调处 · 回访（每月 30%）」
    period: PeriodKind
    # True: run for the period just ended (draw from what happened in it); False: for the
    # period just begun (open this period's round).
    after: bool = True
    args: tuple[str, ...] = ()  # for the kind's `run` (e.g. the process and step it draws for)

    def due(self, now: datetime) -> Period:
        """The period the job should have run for by `now`."""
        current = periods.containing(self.period, now)
        return current.previous() if self.after else current

    def next_start(self, now: datetime) -> datetime:
        """When the next period after the one due now becomes due."""
        return periods.containing(self.period, now).end


@dataclass(frozen=True)
class Run:
    """What a job kind's `run` gets: the transaction that also holds the job's claim."""

    conn: Connection
    county: County  # the current version
    county_id: int
    job: Job
    period: Period
    now: datetime


@dataclass(frozen=True)
class JobKind:
    name: str
    jobs: Callable[[County], list[Job]]  # the jobs a definition declares
    run: Callable[[Run], str]  # does the work through run.conn; returns what it did


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def load_job_modules() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)


def jobs_of(county: County) -> Iterator[tuple[JobKind, Job]]:
    load_job_modules()
    for kind in KINDS.values():
        for job in kind.jobs(county):
            yield kind, job


# --- running ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    county_id: int
    county: County
    kind: JobKind
    job: Job
    period: Period


# An idle poll (every job of the due periods done) is these two reads, on the driver (about
# a fifth of the cost of building and running them through SQLAlchemy each poll).
CURRENT_VERSIONS = (
    select(COUNTY.c.id, VERSION.c.id, VERSION.c.content_hash)
    .join(VERSION, VERSION.c.county_id == COUNTY.c.id)
    .where(VERSION.c.is_current.is_(True))
    .order_by(COUNTY.c.id)
)
# The runs of the periods due now: at most one key per period kind and direction (the
# period just ended, the period just begun), padded by repeating one.
PERIOD_SLOTS = tuple(f"p{i}" for i in range(2 * len(periods.KIND_NAMES)))
RUNS_OF_PERIODS = select(
    JOB_RUN.c.county_id, JOB_RUN.c.job, JOB_RUN.c.period, JOB_RUN.c.status, JOB_RUN.c.retry_at
).where(JOB_RUN.c.period.in_([bindparam(name) for name in PERIOD_SLOTS]))


def _counties(conn: Connection) -> Iterator[tuple[int, County]]:
    """Every county with a published current version, with its compiled model."""
    for county_id, version_id, digest in driver.tuples(conn, CURRENT_VERSIONS, {}):
        try:
            yield int(county_id), versions.model_of_version(conn, int(version_id), str(digest))
        except Exception as error:  # one unreadable version must not stop the other counties
            log.error("县区 %s 的当前版本无法加载，跳过其定时任务：%s", county_id, error)


def _waiting(conn: Connection, due: list[_Due], now: datetime) -> list[_Due]:
    """The due runs not done yet, nor failed with their retry still ahead (a plain read: an
    idle poll takes no write lock)."""
    keys = sorted({d.period.key for d in due})
    # (a key beyond the slots is only read as waiting: the claim, not this read, keeps a
    # period's run unique)
    padded = (keys + [keys[0]] * len(PERIOD_SLOTS))[: len(PERIOD_SLOTS)]
    slots = dict(zip(PERIOD_SLOTS, padded, strict=True))
    blocked = {
        (county_id, job, period)
        for county_id, job, period, status, retry_at in driver.tuples(conn, RUNS_OF_PERIODS, slots)
        if status == "done" or (retry_at is not None and retry_at > now)
    }
    return [d for d in due if (d.county_id, d.job.key, d.period.key) not in blocked]


def run_due(engine: Engine, now: datetime, *, worker_id: str) -> int:
    """Run every job due at `now` that no worker has done yet; the number this call ran."""
    with engine.connect() as conn:
        due = [
            _Due(county_id, county, kind, job, job.due(now))
            for county_id, county in _counties(conn)
            for kind, job in jobs_of(county)
        ]
        waiting = _waiting(conn, due, now) if due else []
    return sum(_run_one(engine, item, now, worker_id) for item in waiting)


def _insert(dialect: str) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (PostgreSQL and SQLite share them)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(JOB_RUN)


def _claim(conn: Connection, item: _Due, now: datetime, worker_id: str) -> bool:
    """Take the run in the caller's transaction: a new row, or a failed one due for retry."""
    keys = {"county_id": item.county_id, "job": item.job.key, "period": item.period.key}
    fresh = {"status": "running", "started_at": now, "worker": worker_id[:200]}
    claim = _insert(conn.dialect.name).values(**keys, **fresh, attempts=1)
    # RETURNING, not rowcount: psycopg reports -1 rows for this INSERT ... ON CONFLICT.
    inserted = conn.execute(claim.on_conflict_do_nothing().returning(JOB_RUN.c.id)).first()
    if inserted is not None:
        return True
    retried = conn.execute(
        sql_update(JOB_RUN)
        .where(*_where(item), JOB_RUN.c.status == "failed", JOB_RUN.c.retry_at <= now)
        .values(**fresh, attempts=JOB_RUN.c.attempts + 1)
    ).rowcount
    return bool(retried == 1)


def _where(item: _Due) -> tuple[Any, ...]:
    return (
        JOB_RUN.c.county_id == item.county_id,
        JOB_RUN.c.job == item.job.key,
        JOB_RUN.c.period == item.period.key,
    )


def _run_one(engine: Engine, item: _Due, now: datetime, worker_id: str) -> bool:
    try:
        with writer(engine).begin() as conn:
            if not _claim(conn, item, now, worker_id):
                return False  # another worker ran it (or is retrying it) first
            result = item.kind.run(
                Run(conn, item.county, item.county_id, item.job, item.period, now)
            )
            done = {"status": "done", "finished_at": now, "result": result, "error": None}
            conn.execute(sql_update(JOB_RUN).where(*_where(item)).values(**done, retry_at=None))
    except OperationalError:
        raise  # the database is away or busy: the worker logs it and polls again
    except Exception as error:
        _record_failure(engine, item, now, worker_id, error)
        return False
    log.info(
        "定时任务 %s（%s，%s）已完成：%s", item.job.key, item.county.key, item.period.key, result
    )
    return True


def _record_failure(
    engine: Engine, item: _Due, now: datetime, worker_id: str, error: Exception
) -> None:
    """Note the failure on the run's row (never over a run another worker finished)."""
    message = (str(error).strip() or type(error).__name__)[:ERROR_MAX]
    log.error(
        "定时任务 %s（%s，%s）失败：%s", item.job.key, item.county.key, item.period.key, message
    )
    failed = {"status": "failed", "finished_at": now, "error": message}
    failed |= {"retry_at": now + RETRY_AFTER, "worker": worker_id[:200]}
    keys = {"county_id": item.county_id, "job": item.job.key, "period": item.period.key}
    statement = _insert(engine.dialect.name).values(**keys, **failed, started_at=now, attempts=1)
    with writer(engine).begin() as conn:
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["county_id", "job", "period"],
                # (the retry's claim counted its attempt, but was rolled back with it)
                set_={**failed, "attempts": JOB_RUN.c.attempts + 1},
                where=JOB_RUN.c.status == "failed",
            )
        )


# --- what the console shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last: JobRun | None  # its latest run (done or failed), any period
    due: Period  # the period it should have run for by now
    next_at: datetime | None  # when it runs next; None: at the next poll (due and not done)
    next_period: Period  # the period that run is for


def schedule_of(engine: Engine, county_key: str, now: datetime) -> list[JobStatus]:
    """Each job of the county's current definition, with its last run and its next run."""
    county_id, _, county = versions.current_version(engine, county_key)
    with engine.connect() as conn:
        rows = conn.execute(
            select(JOB_RUN)
            .where(JOB_RUN.c.county_id == county_id)
            .order_by(JOB_RUN.c.started_at, JOB_RUN.c.id)
        ).all()
    latest: dict[str, JobRun] = {}
    runs: dict[tuple[str, str], JobRun] = {}
    for row in rows:
        run = JobRun(**row._asdict())
        latest[run.job] = run
        runs[(run.job, run.period)] = run
    found = []
    for _, job in jobs_of(county):
        due = job.due(now)
        this = runs.get((job.key, due.key))
        next_at: datetime | None
        if this is not None and this.status == "done":
            next_at, next_period = job.next_start(now), due.next()
        else:
            next_at = this.retry_at if this is not None else None
            next_period = due
        found.append(JobStatus(job, latest.get(job.key), due, next_at, next_period))
    return found
