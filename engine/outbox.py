"""Replies to source systems (回告推送): what a case that a system pushed in becomes goes back to
that system as signed JSON.

A calling system registers a callback (URL + signing secret) for its API key; a case it pushes
is subscribed to that callback in the intake's own transaction. Every change of a subscribed
case's status, step, outcome or evaluation writes an outbox row in the transaction of the
change (`enqueue`, from `flow.save`), so a change and its reply are committed together or not
at all. The worker delivers rows in order per case (`deliver_due`), retrying with exponential
backoff; a row is marked delivered only after the receiver answered 2xx, so a crash between
the POST and the mark sends it again with the same event id: receivers dedupe by that id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
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
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow, writer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # then the row is 失败 and waits for an administrator's retry
BACKOFF_FIRST = timedelta(seconds=30)  # doubled after each failure ...
BACKOFF_CAP = timedelta(hours=1)  # ... up to this
# A row being sent is not picked by another worker meanwhile; after a crash it is sent again
# once the lease is over. YIDI_OUTBOX_LEASE (seconds) shortens it for the crash tests.
LEASE = timedelta(seconds=float(os.environ.get("YIDI_OUTBOX_LEASE", "120")))
TIMEOUT = 10.0  # seconds to wait for a receiver
WATCHED = ("status", "step", "office", "outcome", "satisfaction")
SIGNATURE = "X-Yidi-Signature"
TIMESTAMP = "X-Yidi-Timestamp"
EVENT_ID = "X-Yidi-Event-Id"


class Callback(Base):
    """Where one API key's replies go: its URL and the secret they are signed with."""

    __tablename__ = "api_callback"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(unique=True)  # admin.accounts.ApiKey.id
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))  # shared with the receiver, never logged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Subscription(Base):
    """A case pushed in through the API: the key that pushed it (its changes feed) and the
    callback, if the key had one then, that hears of it."""

    __tablename__ = "case_subscription"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    api_key_id: Mapped[int]  # admin.accounts.ApiKey.id
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("api_callback.id"))


class Outbox(Base):
    """One reply; `id` orders a case's replies and is the changes feed's cursor. A key
    without a callback gets its rows too (state `feed`): it reads them by polling."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "state", "next_attempt_at"),
        Index("ix_outbox_case", "case_id", "id"),
        Index("ix_outbox_feed", "api_key_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    api_key_id: Mapped[int]
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("api_callback.id"))
    county_id: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(40))  # case.status / case.closed / case.evaluated
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent (UTF-8)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # delivered/failed/feed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


CALLBACKS = cast(Table, Callback.__table__)
SUBSCRIPTIONS = cast(Table, Subscription.__table__)
OUTBOX = cast(Table, Outbox.__table__)


# --- registering and subscribing ----------------------------------------------------------


MAX_URL = 500


def checked_url(url: str) -> str:
    """A callback URL as the worker can POST to it, or ValueError with the Chinese reason."""
    url = url.strip()
    if not url:
        raise ValueError("请填写回告地址")
    if len(url) > MAX_URL:
        raise ValueError(f"回告地址不能超过 {MAX_URL} 个字符")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError("回告地址不能含空格或控制字符")
    if not url.isascii():
        raise ValueError("回告地址只能含英文字母、数字和网址符号（中文域名请先转换为 xn-- 形式）")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError:
        raise ValueError(f"回告地址不是有效的网址：「{url[:80]}」") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"回告地址应以 http:// 或 https:// 开头：「{url[:80]}」")
    if not parts.hostname:
        raise ValueError(f"回告地址缺少主机名：「{url[:80]}」")
    if parts.username is not None or parts.password is not None:
        raise ValueError("回告地址不能含用户名或密码（接收方请用签名校验来源）")
    if port == 0:
        raise ValueError(f"回告地址的端口无效：「{url[:80]}」")
    return url


def callback_of(conn: Connection, api_key_id: int) -> str | None:
    """The key's callback URL, or None when it has none."""
    found: str | None = conn.execute(
        select(CALLBACKS.c.url).where(CALLBACKS.c.api_key_id == api_key_id)
    ).scalar()
    return found


def register_callback(
    conn: Connection, api_key_id: int, url: str, *, new_secret: bool = True
) -> str | None:
    """Set (or replace) the key's callback URL; returns the new signing secret. A key that
    has a callback keeps its secret with `new_secret=False` (the URL moved, the receiving
    system did not change): then None is returned."""
    url = checked_url(url)
    found = conn.execute(
        select(CALLBACKS.c.id).where(CALLBACKS.c.api_key_id == api_key_id)
    ).scalar()
    if found is not None and not new_secret:
        conn.execute(update(CALLBACKS).where(CALLBACKS.c.id == found).values(url=url))
        return None
    secret = secrets.token_urlsafe(32)
    if found is None:
        conn.execute(
            insert(CALLBACKS).values(
                api_key_id=api_key_id, url=url, secret=secret, created_at=utcnow()
            )
        )
    else:
        conn.execute(
            update(CALLBACKS).where(CALLBACKS.c.id == found).values(url=url, secret=secret)
        )
    return secret


def subscribe(conn: Connection, case_id: int, api_key_id: int) -> None:
    """Follow a pushed case for its key: its feed, and its callback if it has one (in the
    intake's transaction)."""
    callback = conn.execute(
        select(CALLBACKS.c.id).where(CALLBACKS.c.api_key_id == api_key_id)
    ).scalar()
    conn.execute(
        insert(SUBSCRIPTIONS).values(case_id=case_id, api_key_id=api_key_id, callback_id=callback)
    )


# --- writing replies (in the change's transaction) -----------------------------------------


def _stamp(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def kind_of(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """What changed, as the reply's type; None when nothing a source system hears of did."""
    if after.get("status") == "closed" and before.get("status") != "closed":
        return "case.closed"  # the final answer, with the outcome
    if after.get("satisfaction") != before.get("satisfaction") and after.get("satisfaction"):
        return "case.evaluated"
    if any(after.get(k) != before.get(k) for k in WATCHED):
        return "case.status"
    return None


def enqueue(
    conn: Connection,
    case: Mapping[str, Any],
    before: Mapping[str, Any],
    now: datetime,
    meanings: Mapping[str, str],
) -> None:
    """Write a reply for a subscribed case whose watched columns changed (else nothing)."""
    kind = kind_of(before, case)
    if kind is None:
        return
    follower = conn.execute(
        select(SUBSCRIPTIONS.c.api_key_id, SUBSCRIPTIONS.c.callback_id).where(
            SUBSCRIPTIONS.c.case_id == case["id"]
        )
    ).first()
    if follower is None:
        return
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "type": kind,
        "occurred_at": now.isoformat(),
        "case": {
            "code": case.get("code"),
            "status": case.get("status"),
            "step": case.get("step"),
            "center": case.get("center"),
            "office": case.get("office"),
            "outcome": case.get("outcome"),
            "outcome_meaning": meanings.get(str(case.get("outcome") or "")),
            "satisfaction": case.get("satisfaction"),
            "closed_at": _stamp(case.get("closed_at")),
            "due_at": _stamp(case.get("due_at")),
        },
    }
    conn.execute(
        insert(OUTBOX).values(
            event_id=event_id,
            api_key_id=follower.api_key_id,
            callback_id=follower.callback_id,
            county_id=case["county_id"],
            case_id=case["id"],
            kind=kind,
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            state="pending" if follower.callback_id is not None else "feed",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )


# --- delivering ----------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of the raw body with the callback's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 30 s, 60 s, 120 s ... at most an hour."""
    return cast(timedelta, min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_CAP))


Send = Callable[[str, bytes, dict[str, str]], int]


def http_send(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the body; the receiver's status code (a network failure raises OSError)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _due(conn: Connection, now: datetime, limit: int) -> list[Any]:
    """The first undelivered reply of each case, when it is due: a case's later replies wait
    behind an earlier one that is failing (in order per case)."""
    first = (
        select(func.min(OUTBOX.c.id))
        .where(OUTBOX.c.state.in_(("pending", "failed")))
        .group_by(OUTBOX.c.case_id)
        .scalar_subquery()
    )
    return list(
        conn.execute(
            select(OUTBOX, CALLBACKS.c.url, CALLBACKS.c.secret)
            .join(CALLBACKS, CALLBACKS.c.id == OUTBOX.c.callback_id)
            .where(
                OUTBOX.c.state == "pending",
                OUTBOX.c.next_attempt_at <= now,
                OUTBOX.c.id.in_(first),
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
    )


def _claim(db: Engine, row: Any, now: datetime) -> bool:
    """Lease the row (compare-and-set on its due time) so one worker sends it at a time."""
    with writer(db).begin() as conn:
        taken = conn.execute(
            update(OUTBOX)
            .where(
                and_(
                    OUTBOX.c.id == row.id,
                    OUTBOX.c.state == "pending",
                    OUTBOX.c.next_attempt_at == row.next_attempt_at,
                )
            )
            .values(next_attempt_at=now + LEASE)
        )
        return taken.rowcount == 1


def deliver_due(
    db: Engine, now: datetime | None = None, send: Send = http_send, limit: int = 50
) -> int:
    """Send the due replies; returns how many were delivered. Never raises for a receiver."""
    now = now or utcnow()
    with db.connect() as conn:
        rows = _due(conn, now, limit)
    delivered = 0
    for row in rows:
        if not _claim(db, row, now):
            continue
        body = row.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            EVENT_ID: row.event_id,
            TIMESTAMP: str(int(now.timestamp())),
            SIGNATURE: signature(row.secret, body),
            "User-Agent": "yidi-outbox/1",
        }
        error = ""
        try:
            status = send(row.url, body, headers)
            if not 200 <= status < 300:
                error = f"接收方返回 HTTP {status}"
        except Exception as problem:  # a receiver's failure is recorded, never raised
            error = f"无法送达：{type(problem).__name__}"
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_attempt_at": now}
        if not error:
            values |= {"state": "delivered", "delivered_at": now, "last_error": None}
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            values |= {"state": "failed", "last_error": error[:500]}
        else:
            values |= {"next_attempt_at": now + backoff(attempts), "last_error": error[:500]}
        with writer(db).begin() as conn:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(**values))
        if error:
            log.warning("回告推送 %s 第 %d 次失败：%s", row.event_id, attempts, error)
    return delivered


def retry(conn: Connection, outbox_id: int, county_id: int, now: datetime) -> bool:
    """An administrator's retry of a failed reply: due again now, attempts counted afresh."""
    done = conn.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.id == outbox_id,
            OUTBOX.c.county_id == county_id,
            OUTBOX.c.state == "failed",
        )
        .values(state="pending", attempts=0, next_attempt_at=now)
    )
    return done.rowcount == 1


FEED_PAGE = 100


def changes(conn: Connection, api_key_id: int, after: int, limit: int = FEED_PAGE) -> list[Any]:
    """The changes feed: replies about the key's own pushed cases after the cursor, in order."""
    return list(
        conn.execute(
            select(OUTBOX.c.id, OUTBOX.c.body)
            .where(OUTBOX.c.api_key_id == api_key_id, OUTBOX.c.id > after)
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
    )


def chore(db: Engine) -> None:
    """The worker's chore: deliver what is due."""
    deliver_due(db)
