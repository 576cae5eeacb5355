"""What an API key may do (密钥用途): push intakes (`intake`, 12345 热线、网格平台) or record the
court's filing, hearing and results (`court`, 法院的系统), or both.

A key's uses are a row of `api_key_scope` beside its `api_key` row; a key without one (every
key issued before uses existed) keeps the rights it had, every use. `yidi apikey add` issues
`intake` unless told `--scope court` (or both). Reading a case and the changes feed stay open
to any key of the county: only writes are split, so a hotline's key cannot decide a court
matter and the court's key cannot push cases the center did not expect from it."""

from __future__ import annotations

from typing import cast

from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

INTAKE, COURT = "intake", "court"
USES = {INTAKE: "推送案件", COURT: "登记法院立案、开庭和结果"}
DEFAULT = (INTAKE,)


class ApiKeyScope(Base):
    __tablename__ = "api_key_scope"

    api_key_id: Mapped[int] = mapped_column(primary_key=True)  # admin.accounts.ApiKey.id
    scopes: Mapped[str] = mapped_column(String(40))  # comma-separated USES keys, e.g. "court"


SCOPES = cast(Table, ApiKeyScope.__table__)


def parse(words: list[str] | None) -> tuple[str, ...]:
    """`--scope` values (repeated or comma-separated) -> the key's uses; ValueError in Chinese."""
    found: list[str] = []
    for word in words or []:
        for use in (w.strip() for w in word.replace("，", ",").split(",")):
            if use not in USES:
                known = "、".join(f"{k}（{v}）" for k, v in USES.items())
                raise ValueError(f"不认识的密钥用途「{use[:20]}」：可用 {known}")
            if use not in found:
                found.append(use)
    return tuple(found) or DEFAULT


def stored(uses: tuple[str, ...]) -> str:
    return ",".join(uses)


def loaded(text: str | None) -> frozenset[str] | None:
    """The stored uses; None for a key issued before uses existed (it may do everything)."""
    return None if text is None else frozenset(u for u in text.split(",") if u)


def refusal(uses: frozenset[str] | None, use: str) -> str | None:
    """Why a key with `uses` may not `use` (Chinese), or None when it may."""
    if uses is None or use in uses:
        return None
    granted = "、".join(USES[u] for u in sorted(uses) if u in USES) or "无"
    return f"该 API 密钥不能{USES[use]}（此密钥的用途：{granted}）；请使用为此签发的密钥"
