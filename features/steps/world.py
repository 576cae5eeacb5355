# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""The scenario's world: the database, the manual clock, the engine, the county under test, the
cases registered so far (by alias), and a refusal waiting to be checked.

Messages speak the domain and the feature file's language (Chinese unless it is English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine as DbEngine

from dsl.model import County
from engine.cases import Engine
from engine.clock import CST, ManualClock
from engine.errors import EngineError
from engine.scope import Membership, Principal
from engine.views import CaseView, TicketView

REPO = Path(__file__).resolve().parents[2]
WHERE = re.compile(r"^\s*(?P<office>[^（(]+?)\s*[（(]\s*(?P<center>[^）)]+?)\s*[）)]\s*$")


class ScenarioFailure(AssertionError):
    """A step's expectation did not hold; the message is for the implementer."""


@dataclass
class World:
    db: DbEngine
    feature_path: Path
    lang: str = "zh"
    clock: ManualClock | None = None
    engine: Engine | None = None
    county: County | None = None
    cases: dict[str, str] = field(default_factory=dict)  # alias -> case code
    current: str | None = None  # code of the case the steps talk about
    refusal: EngineError | None = None  # the last refused action, until a step checks it
    refused_step: str = ""
    drawn: list[str] = field(default_factory=list)  # case codes of the last revisit sample

    def say(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def fail(self, zh: str, en: str) -> ScenarioFailure:
        return ScenarioFailure(self.say(zh, en))

    # --- what must be there -------------------------------------------------------------

    def need_county(self) -> County:
        if self.county is None or self.engine is None:
            raise self.fail(
                '还没有加载县区定义：先写「假如 加载县区定义 "definitions/某县"」',
                'no county definition loaded yet: start with Given the county definition "..." is loaded',
            )
        return self.county

    def need_engine(self) -> Engine:
        self.need_county()
        assert self.engine is not None
        return self.engine

    def need_clock(self) -> ManualClock:
        if self.clock is None:
            raise self.fail(
                '还没有设置时间：先写「假如 现在是 "2026-09-25 09:00"」',
                'the clock is not set yet: start with Given the time is "2026-09-25 09:00"',
            )
        return self.clock

    def case(self) -> CaseView:
        """The case the scenario is talking about, as the engine sees it now."""
        engine = self.need_engine()
        if self.current is None:
            raise self.fail("还没有登记案件", "no case has been registered yet")
        found = engine.case(self.overseer(), self.current)
        if found is None:
            raise self.fail(f"找不到案件 {self.current}", f"case {self.current} not found")
        return found

    def use_case(self, alias: str) -> None:
        if alias not in self.cases:
            known = "、".join(self.cases) or self.say("无", "none")
            raise self.fail(
                f"没有名为「{alias}」的案件（已登记：{known}）",
                f"no case called {alias!r} (registered: {known})",
            )
        self.current = self.cases[alias]

    # --- people -------------------------------------------------------------------------

    def overseer(self) -> Principal:
        """Sees every case of the county (checks read through it)."""
        county = self.need_county()
        return Principal("验收", "验收", county.key, (), is_admin=True)

    def person(self, role: str, where: str) -> Principal:
        """`role` at `where`: a center ("孝南区中心") or an office in a center ("司法所（书院街道）")."""
        county = self.need_county()
        office, center = split_where(where)
        if center not in county.centers:
            raise self.fail(
                f"没有中心「{center}」（可选：{'、'.join(county.centers)}）",
                f"no center {center!r} (known: {', '.join(county.centers)})",
            )
        if office is not None and office not in county.offices:
            raise self.fail(
                f"没有单位「{office}」（可选：{'、'.join(county.offices)}）",
                f"no office {office!r} (known: {', '.join(county.offices)})",
            )
        if role not in county.roles:
            raise self.fail(
                f"没有角色「{role}」（可选：{'、'.join(county.roles)}）",
                f"no role {role!r} (known: {', '.join(county.roles)})",
            )
        member = Membership(center=center, role=role, office=office)
        name = f"{where}{role}"
        return Principal(name, name, county.key, (member,))

    def local(self, moment: datetime | None) -> str:
        return "—" if moment is None else f"{moment.astimezone(CST):%Y-%m-%d %H:%M}"


def split_where(where: str) -> tuple[str | None, str]:
    """ "司法所（书院街道）" -> ("司法所", "书院街道"); "孝南区中心" -> (None, "孝南区中心")."""
    found = WHERE.match(where)
    if found:
        return found["office"], found["center"]
    return None, where.strip()


def place(ticket: TicketView, lang: str = "zh") -> str:
    """Where a ticket is worked, as people say it: 司法所（城关镇） or 县综治中心."""
    if not ticket.office:
        return ticket.center
    return (
        f"{ticket.office} ({ticket.center})"
        if lang == "en"
        else f"{ticket.office}（{ticket.center}）"
    )


def work_tickets(view: CaseView) -> list[TicketView]:
    """Open tickets of the case's chain (supervision notices run beside it)."""
    return [t for t in view.open_tickets() if t.kind != "supervision"]


def parse_local(world: World, text: str) -> datetime:
    """ "2026-09-25 09:00" (county local time) -> aware datetime."""
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), form).replace(tzinfo=CST)
        except ValueError:
            continue
    raise world.fail(
        f"时间「{text}」看不懂，请写成 2026-09-25 09:00",
        f"cannot read the time {text!r}; write it as 2026-09-25 09:00",
    )


def detect_language(feature_text: str) -> str:
    for line in feature_text.splitlines()[:5]:
        found = re.match(r"\s*#\s*language\s*:\s*(\S+)", line)
        if found:
            return "en" if found[1].lower().startswith("en") else "zh"
    return "en"  # Gherkin's default language is English
