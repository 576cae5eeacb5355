"""The case library (调解案例库, issue 22.4): closed cases kept as references for the county.

Staff who can see a closed case propose it as exemplary with a title, a summary and tags; the
entry waits (待审核) until a reviewer approves it. The reviewer is anyone of the county holding
the role 负责人 (the role every seed county declares for a center's head): a county-wide duty,
kept simple on purpose. Approval is where personal data must be gone: the title, summary and
tags may not contain the names, ID numbers or phone numbers of the case's own parties, nor
anything shaped like an ID number or a mobile number. The check runs in the approving
transaction, so a refused approval writes nothing.

Only approved entries are searchable, and only by staff of the same county; pending entries are
shown to reviewers alone (a draft summary may still name the parties). Migration
`library_i22library`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
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
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.errors import EngineError, NotFound
from engine.registry import County
from engine.scope import Principal
from engine.tables import CASE, PARTY

REVIEWER_ROLE = "负责人"
MAX_TITLE = 100
MAX_SUMMARY = 2000
MAX_TAGS = 10
MAX_TAG = 20
PENDING, APPROVED = "pending", "approved"
STATE_NAMES = {PENDING: "待审核", APPROVED: "已入库"}

# Shapes of personal data whoever the parties are: an 18-digit (or old 15-digit) ID number and
# a mainland mobile number, not inside a longer run of digits (a case code or an amount).
ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
TAG_SPLIT = re.compile(r"[,，、;；\s]+")


class LibraryEntry(Base):
    """One case in the library: at most one entry per case."""

    __tablename__ = "case_library"
    __table_args__ = (
        UniqueConstraint("case_id", name="uq_case_library_case"),
        Index("ix_case_library_county_state", "county_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    category: Mapped[str] = mapped_column(String(100))  # the case's, for search and counts
    center: Mapped[str] = mapped_column(String(100))  # where the case was closed
    office: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(300), default="")  # joined with 、
    state: Mapped[str] = mapped_column(String(20))  # pending|approved
    proposed_by: Mapped[str] = mapped_column(String(100))  # display name
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


LIBRARY = cast(Table, LibraryEntry.__table__)
COUNTY = cast(Table, County.__table__)


@dataclass(frozen=True)
class Draft:
    """What staff type: checked for shape here, for personal data on approval."""

    title: str
    summary: str
    tags: tuple[str, ...]


def tags_of(text: str) -> tuple[str, ...]:
    """Tags typed as one line, separated by commas, 、 or spaces; duplicates dropped."""
    seen: list[str] = []
    for tag in TAG_SPLIT.split(text.strip()):
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen)


def draft(title: str, summary: str, tags: str) -> Draft:
    """The typed fields, or EngineError with the first problem in Chinese."""
    title, summary = title.strip(), summary.strip()
    found = tags_of(tags)
    if not title:
        raise EngineError("请填写案例标题")
    if len(title) > MAX_TITLE:
        raise EngineError(f"案例标题不能超过 {MAX_TITLE} 字（现有 {len(title)} 字）")
    if not summary:
        raise EngineError("请填写案例摘要")
    if len(summary) > MAX_SUMMARY:
        raise EngineError(f"案例摘要不能超过 {MAX_SUMMARY} 字（现有 {len(summary)} 字）")
    if len(found) > MAX_TAGS:
        raise EngineError(f"标签最多 {MAX_TAGS} 个（现有 {len(found)} 个）")
    long = next((tag for tag in found if len(tag) > MAX_TAG), None)
    if long is not None:
        raise EngineError(f"标签「{long[:MAX_TAG]}…」超过 {MAX_TAG} 字")
    return Draft(title, summary, found)


def personal_data(text: str, parties: list[dict[str, Any]]) -> str | None:
    """The first piece of personal data left in `text`, described in Chinese, or None."""
    for party in parties:
        name = (party.get("name") or "").strip()
        if len(name) >= 2 and name in text:
            return f"含有当事人姓名「{name}」"
        for key, label in (("id_number", "身份证号"), ("phone", "电话号码")):
            value = (party.get(key) or "").strip()
            if len(value) >= 6 and value in text:
                return f"含有当事人的{label}"
    if ID_NUMBER.search(text):
        return "含有疑似身份证号的数字"
    if MOBILE.search(text):
        return "含有疑似手机号码的数字"
    return None


def is_reviewer(principal: Principal) -> bool:
    return any(m.role == REVIEWER_ROLE for m in principal.memberships)


def _county(conn: Connection, code: str) -> int:
    found = conn.execute(select(COUNTY.c.id).where(COUNTY.c.code == code)).scalar()
    if found is None:
        raise NotFound("没有该县")
    return int(found)


def propose(db: Engine, principal: Principal, code: str, typed: Draft, now: datetime) -> int:
    """Put a closed case of the principal's county forward for the library; its entry's id.
    The caller has already checked that the principal may see the case."""
    with db.begin() as conn:
        county = _county(conn, principal.county)
        case = conn.execute(
            select(CASE.c.id, CASE.c.status, CASE.c.category, CASE.c.center, CASE.c.office)
            .where(CASE.c.code == code, CASE.c.county_id == county)
            .with_for_update()
        ).first()
        if case is None:
            raise NotFound("没有该编号的案件，或该案件不在您的工作范围内。")
        if case.status != "closed":
            raise EngineError("只有已办结的案件才能推荐入库")
        taken = conn.execute(select(LIBRARY.c.id).where(LIBRARY.c.case_id == case.id)).first()
        if taken is not None:
            raise EngineError("该案件已推荐过，不能重复推荐")
        row = conn.execute(
            LIBRARY.insert()
            .values(
                county_id=county,
                case_id=case.id,
                category=case.category,
                center=case.center,
                office=case.office,
                title=typed.title,
                summary=typed.summary,
                tags="、".join(typed.tags),
                state=PENDING,
                proposed_by=principal.display_name,
                proposed_at=now,
            )
            .returning(LIBRARY.c.id)
        )
        return int(row.scalar_one())


def approve(db: Engine, principal: Principal, entry_id: int, typed: Draft, now: datetime) -> None:
    """The reviewer's edited title, summary and tags, approved into the library. Refused, with
    nothing written, when any of them still holds personal data."""
    if not is_reviewer(principal):
        raise EngineError(f"只有「{REVIEWER_ROLE}」可以审核案例")
    with db.begin() as conn:
        county = _county(conn, principal.county)
        entry = conn.execute(
            select(LIBRARY.c.id, LIBRARY.c.case_id, LIBRARY.c.state)
            .where(LIBRARY.c.id == entry_id, LIBRARY.c.county_id == county)
            .with_for_update()
        ).first()
        if entry is None:
            raise NotFound("没有该案例")
        if entry.state != PENDING:
            raise EngineError("该案例已审核入库")
        parties = [
            dict(r)
            for r in conn.execute(
                select(PARTY.c.name, PARTY.c.id_number, PARTY.c.phone).where(
                    PARTY.c.case_id == entry.case_id
                )
            ).mappings()
        ]
        for label, text in (
            ("标题", typed.title),
            ("摘要", typed.summary),
            ("标签", "、".join(typed.tags)),
        ):
            problem = personal_data(text, parties)
            if problem is not None:
                raise EngineError(f"案例{label}{problem}，请删去个人信息后再审核通过")
        conn.execute(
            LIBRARY.update()
            .where(LIBRARY.c.id == entry.id)
            .values(
                title=typed.title,
                summary=typed.summary,
                tags="、".join(typed.tags),
                state=APPROVED,
                reviewed_by=principal.display_name,
                reviewed_at=now,
            )
        )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(county: int, words: str, category: str) -> list[Any]:
    """The conditions of an approved entry of `county` whose title, summary, tags or category
    hold every word typed (case-insensitive), in `category` when one is chosen."""
    where: list[Any] = [LIBRARY.c.county_id == county, LIBRARY.c.state == APPROVED]
    if category:
        where.append(LIBRARY.c.category == category)
    columns = (LIBRARY.c.title, LIBRARY.c.summary, LIBRARY.c.tags, LIBRARY.c.category)
    for word in words.split()[:10]:
        pattern = f"%{_escaped(word.lower())}%"
        where.append(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))
    return where


def search(
    conn: Connection, county: int, words: str = "", category: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    """Approved entries of one county matching the words and category, newest first."""
    query = (
        select(LIBRARY, CASE.c.code)
        .join(CASE, CASE.c.id == LIBRARY.c.case_id)
        .where(*_matching(county, words, category))
        .order_by(LIBRARY.c.reviewed_at.desc(), LIBRARY.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def count_matching(conn: Connection, county: int, words: str = "", category: str = "") -> int:
    """How many approved entries `search` would find without its limit."""
    query = select(func.count()).select_from(LIBRARY).where(*_matching(county, words, category))
    return int(conn.execute(query).scalar_one())


def pending(conn: Connection, county: int) -> list[dict[str, Any]]:
    """Entries waiting for review, oldest first (for reviewers only)."""
    query = (
        select(LIBRARY, CASE.c.code)
        .join(CASE, CASE.c.id == LIBRARY.c.case_id)
        .where(LIBRARY.c.county_id == county, LIBRARY.c.state == PENDING)
        .order_by(LIBRARY.c.proposed_at, LIBRARY.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def entry(conn: Connection, county: int, entry_id: int) -> dict[str, Any] | None:
    """One entry of the county (any state; the page decides who may see a pending one)."""
    query = (
        select(LIBRARY, CASE.c.code)
        .join(CASE, CASE.c.id == LIBRARY.c.case_id)
        .where(LIBRARY.c.id == entry_id, LIBRARY.c.county_id == county)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found is not None else None


def figures(conn: Connection, county: int) -> dict[str, list[tuple[str, int]]]:
    """Approved entries per category and per closing office (or center when no office),
    largest first: the library's figure."""
    result: dict[str, list[tuple[str, int]]] = {}
    unit = func.coalesce(LIBRARY.c.office, LIBRARY.c.center)
    for key, column in (("category", LIBRARY.c.category), ("office", unit)):
        count = func.count().label("n")
        rows = conn.execute(
            select(column.label("key"), count)
            .where(LIBRARY.c.county_id == county, LIBRARY.c.state == APPROVED)
            .group_by(column)
            .order_by(count.desc(), column)
        ).all()
        result[key] = [(str(r.key), int(r.n)) for r in rows]
    return result
