"""Importing the national holiday table, audited, and who may do it (the system administrator).

County administrators run one county each; the national schedule is shared by all of them, so
importing it is a separate, narrower right: an account named in `system_admin`, granted only on
the command line (`yidi calendar grant USERNAME`: whoever can run commands on the server is
already trusted with everything). Each import writes the new versions and one audit row
(who, when, which years, the days added, removed and changed) in one transaction; a year whose
schedule is unchanged gets no new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, String, Table, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from admin.console.store import AUDIT, record
from engine import national_calendar
from engine.db import Base, UTCDateTime, utcnow, writer
from engine.holiday_file import HolidayFile, HolidayFileError, read
from engine.national_calendar import VERSIONS

NATIONAL = "*"  # the admin_audit "county" of national changes (no county's key is "*")
IMPORT_ACTION = "导入全国节假日"


class SystemAdmin(Base):
    """An account allowed to change what all counties share (the national holiday table)."""

    __tablename__ = "system_admin"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


SYSTEM_ADMINS = cast(Table, SystemAdmin.__table__)


def is_system_admin(db: Engine, username: str) -> bool:
    with db.connect() as conn:
        found = conn.execute(
            select(SYSTEM_ADMINS.c.username).where(SYSTEM_ADMINS.c.username == username)
        )
        return found.first() is not None


def grant(db: Engine, username: str, by: str) -> bool:
    """False when the account already had the right."""
    with writer(db).begin() as conn:
        if conn.execute(
            select(SYSTEM_ADMINS.c.username).where(SYSTEM_ADMINS.c.username == username)
        ).first():
            return False
        conn.execute(
            SYSTEM_ADMINS.insert().values(username=username, granted_by=by, granted_at=utcnow())
        )
        record(conn, NATIONAL, by, "授予系统管理员", username, None, {"username": username})
    return True


def revoke(db: Engine, username: str, by: str) -> bool:
    with writer(db).begin() as conn:
        gone = conn.execute(delete(SYSTEM_ADMINS).where(SYSTEM_ADMINS.c.username == username))
        if not gone.rowcount:
            return False
        record(conn, NATIONAL, by, "撤销系统管理员", username, {"username": username}, None)
    return True


# --- importing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearChange:
    year: int
    number: int | None  # the new version's number; None: same as the current version
    added: list[str]
    removed: list[str]
    changed: list[str]
    # Where chinesecalendar also carries the year and says otherwise (a typo in the file, or
    # a late change by the State Council): shown, never silently either way.
    library_differs: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """Each day that changed, saying how: 新增 / 删除 / 改变."""
        return (
            [f"新增：{line}" for line in self.added]
            + [f"删除：{line}" for line in self.removed]
            + [f"改变：{line}" for line in self.changed]
        )

    @property
    def summary(self) -> str:
        if self.number is None:
            return f"{self.year} 年：与当前版本相同，未新建版本"
        parts = [f"新增 {len(self.added)} 天", f"删除 {len(self.removed)} 天"]
        parts.append(f"改变 {len(self.changed)} 天")
        return f"{self.year} 年：第 {self.number} 版（{'，'.join(parts)}）"


def _label(day: str, value: Any) -> str:
    kind, name = value
    return f"{day} {kind}{'（' + name + '）' if name else ''}"


def _diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    added = [_label(d, v) for d, v in new.items() if d not in old]
    removed = [_label(d, v) for d, v in old.items() if d not in new]
    changed = [
        f"{_label(d, old[d])} → {_label(d, v)}"
        for d, v in new.items()
        if d in old and list(old[d]) != list(v)
    ]
    return added, removed, changed


def _library_differs(year: int, days: dict[date, tuple[str, str]]) -> list[str]:
    """The days of `year` on which the file and chinesecalendar disagree (working or not)."""
    library = national_calendar.library_year(year)
    if not library:
        return []
    found = []
    for day in sorted(set(library) | {d for d in days if d.year == year}):
        ours = days[day][0] == national_calendar.WORKDAY if day in days else day.isoweekday() <= 5
        theirs = library[day].working if day in library else day.isoweekday() <= 5
        if ours != theirs:
            word = {True: "上班", False: "放假"}
            found.append(f"{day}：文件为{word[ours]}，chinesecalendar 为{word[theirs]}")
    return found


def _current_days(conn: Connection, year: int) -> dict[str, Any]:
    row = conn.execute(
        select(VERSIONS.c.days)
        .where(VERSIONS.c.year == year)
        .order_by(VERSIONS.c.number.desc())
        .limit(1)
    ).first()
    return dict(row.days) if row is not None else {}


def import_file(db: Engine, name: str, data: bytes, by: str) -> list[YearChange]:
    """Check the whole file (HolidayFileError: nothing written), then one transaction: a new
    version of each year that changed, and one audit row for the import."""
    parsed = read(name, data)
    return store(db, parsed, name, by)


def store(db: Engine, parsed: HolidayFile, name: str, by: str) -> list[YearChange]:
    try:
        return _store(db, parsed, name, by)
    except IntegrityError:  # two imports of one year at once: (year, number) is unique
        raise HolidayFileError(["另一次导入同时写入了同一年度，请刷新后重新导入"]) from None


def _store(db: Engine, parsed: HolidayFile, name: str, by: str) -> list[YearChange]:
    changes: list[YearChange] = []
    with writer(db).begin() as conn:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for year, schedule in sorted(parsed.schedules.items()):
            old, new = _current_days(conn, year), schedule.stored()
            differs = _library_differs(year, schedule.days)
            if old == new:
                changes.append(YearChange(year, None, [], [], [], differs))
                continue
            number = national_calendar.next_number(conn, year)
            conn.execute(
                VERSIONS.insert().values(
                    year=year,
                    number=number,
                    days=new,
                    source=name[:200],
                    notice=parsed.notice,
                    token=national_calendar.new_token(),
                    imported_by=by,
                    imported_at=utcnow(),
                )
            )
            added, removed, changed = _diff(old, new)
            changes.append(YearChange(year, number, added, removed, changed, differs))
            before[str(year)] = old or None
            after[str(year)] = {
                "版本": number,
                "新增": added,
                "删除": removed,
                "改变": changed,
                "日期": new,
            }
        if after:
            target = f"{name}：" + "、".join(c.summary for c in changes if c.number)
            record(conn, NATIONAL, by, IMPORT_ACTION, target, before, after)
    return changes


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    year: int
    number: int
    days: dict[date, national_calendar.NationalDay]
    source: str
    notice: str
    imported_by: str
    imported_at: datetime


def versions(db: Engine, year: int | None = None) -> list[VersionRow]:
    """Every stored version (of one year), newest first."""
    query = select(VERSIONS).order_by(VERSIONS.c.year.desc(), VERSIONS.c.number.desc())
    if year is not None:
        query = query.where(VERSIONS.c.year == year)
    with db.connect() as conn:
        rows = conn.execute(query).all()
    return [
        VersionRow(
            r.year,
            r.number,
            national_calendar.days_of(r.days),
            r.source,
            r.notice,
            r.imported_by,
            r.imported_at,
        )
        for r in rows
    ]


def snapshot(db: Engine) -> national_calendar.Snapshot:
    """The table as it is now (and this process's engine calendar brought up to date)."""
    with db.connect() as conn:
        return national_calendar.refresh(conn)


def import_audit(db: Engine, limit: int = 50) -> list[Any]:
    query = (
        select(AUDIT)
        .where(AUDIT.c.county == NATIONAL)
        .order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
        .limit(limit)
    )
    with db.connect() as conn:
        return list(conn.execute(query).all())
