"""The syntax tree of one definition file: what the administrator wrote, with positions.

The transformer builds these from Lark's parse tree; the compiler resolves their names into the
`dsl.model` objects. Names are Lark tokens (a `str` that also carries line and column), so that
every semantic error can point at the exact word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lark import Token

Name = Token


@dataclass
class Labelled:
    name: Name
    label: str | None


@dataclass
class CountyDecl:
    at: Token
    name: Name
    code: Name | None = None
    intake: Name | None = None
    default_process: Name | None = None
    default_calendar: Name | None = None
    colours: list[Name] | None = None
    address: str | None = None
    phone: str | None = None
    online: OnlineSyntax | None = None


@dataclass
class OnlineFieldSyntax:
    name: Name
    label: str | None
    help: str | None


@dataclass
class OnlineSyntax:
    at: Token
    title: str | None = None
    lead: str | None = None
    fields: list[OnlineFieldSyntax] = field(default_factory=list)
    defaults: list[tuple[Name, Name]] = field(default_factory=list)


@dataclass
class LevelsDecl:
    at: Token
    items: list[Labelled]


@dataclass
class CenterDecl:
    name: Name
    label: str | None
    level: Name | None = None
    parent: Name | None = None
    tags: list[Name] = field(default_factory=list)


@dataclass
class CenterListDecl:
    file: Name


@dataclass
class RolesDecl:
    items: list[Labelled]


@dataclass
class StationingSyntax:
    at: Token
    mode: str  # resident / rotating / on_call
    weekdays: list[Name] = field(default_factory=list)


@dataclass
class OfficeDecl:
    name: Name
    label: str | None
    kind: Name | None = None
    roles: list[Name] = field(default_factory=list)
    stationing: StationingSyntax | None = None
    levels: list[Name] = field(default_factory=list)
    centers: list[Name] = field(default_factory=list)
    contact: Token | None = None  # `联系 "…"`: how an on-call or rotating office is called in


@dataclass
class StudioDecl:
    name: Name
    label: str | None
    office: Name | None = None
    center: Name | None = None
    mediator: Name | None = None


@dataclass
class WindowDecl:
    name: Name
    label: str | None
    universal: bool = False
    offices: list[Name] = field(default_factory=list)
    levels: list[Name] = field(default_factory=list)
    centers: list[Name] = field(default_factory=list)


@dataclass
class CategoryDecl:
    name: Name
    label: str | None
    children: list[CategoryDecl] = field(default_factory=list)


@dataclass
class CategoriesDecl:
    items: list[CategoryDecl]


@dataclass
class SeveritiesDecl:
    items: list[Labelled]


@dataclass
class ChannelDecl:
    name: Name
    label: str | None
    in_person: bool


@dataclass
class ChannelsDecl:
    items: list[ChannelDecl]


@dataclass
class DurationSyntax:
    at: Token
    amount: Token | None  # None: "by the end of the working day"
    unit: Name | None


@dataclass
class FractionSyntax:
    at: Token
    percent: bool


@dataclass
class RouteDecl:
    at: Token
    level: Name
    office: Name
    categories: list[Name] = field(default_factory=list)
    severities: list[Name] = field(default_factory=list)
    tags: list[Name] = field(default_factory=list)
    process: Name | None = None
    response: DurationSyntax | None = None
    response_mode: Name | None = None


@dataclass
class FallbackDecl:
    at: Token
    window: Name | None = None
    office: Name | None = None
    level: Name | None = None


@dataclass
class DiversionDecl:
    name: Name
    label: str | None
    target: Name
    categories: list[Name] = field(default_factory=list)
    outcome_required: bool = True


@dataclass
class OutcomeDecl:
    name: Name
    meaning: Name


# Per-case rewards (调解计件奖励, issue 22): meaning -> amount in yuan per case.
@dataclass
class RewardDecl:
    rates: list[tuple[Name, Token]]


# --- the court link (诉调对接, dsl/court.py) ---
@dataclass
class CourtLinkDecl:
    court: Name
    liaison: Name | None = None
    hand_off: list[Name] = field(default_factory=list)
    back_to: Name | None = None
    confirmation: Name | None = None
    referral: list[tuple[Name, DeadlineSyntax]] = field(default_factory=list)


# --- prevention (排查预警, dsl/prevention.py) ---


@dataclass
class ScreeningDecl:
    name: Name
    label: str | None
    screener: list[Any] | None = None  # [role, level, office or None]
    cadence: Name | None = None
    form: Name | None = None
    calendar: Name | None = None


@dataclass
class WarningDecl:
    name: Name
    label: str | None
    same: list[Name] = field(default_factory=list)
    times: Token | None = None
    within: DurationSyntax | None = None
    sources: Token | None = None
    grade: Name | None = None
    assign: list[Any] | None = None  # [role, level]
    letter: list[Any] | None = None  # [letter kind, office] (预警函 K 给 O, issue 21.5)


# --- key persons (重点人员, dsl/key_persons.py; i21persons) ---


@dataclass
class KeyPersonsDecl:
    at: Token  # the keyword, for messages
    categories: list[Name]
    visit: Name | None = None
    full: list[tuple[Name, Name]] = field(default_factory=list)  # (role, level)


@dataclass
class LetterDecl:
    """函件 K "title" { 文号 …; 收件单位 …; 回复时限 …; 签发 …; 正文 … } (dsl/letters.py)"""

    name: Name
    label: str | None
    number: str | None = None
    addressees: list[Name] = field(default_factory=list)
    reply: DurationSyntax | None = None
    calendar: Name | None = None
    issuers: list[Name] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    at: dict[str, Token] = field(default_factory=dict)  # statement -> its position


@dataclass
class CalendarDecl:
    name: Name
    label: str | None
    holidays: list[tuple[Token, Token | None]] = field(default_factory=list)
    workdays: list[tuple[Token, Token | None]] = field(default_factory=list)
    hours: tuple[Token, Token] | None = None


# --- conditions ----------------------------------------------------------------------------


@dataclass
class CompareSyntax:
    path: Name  # joined dotted path, positioned at its first word
    op: str
    value: Any  # a scalar, or a list for in / not in; None for is set
    value_at: Token | None = None


@dataclass
class AllSyntax:
    parts: list[ConditionSyntax]


@dataclass
class AnySyntax:
    parts: list[ConditionSyntax]


@dataclass
class NotSyntax:
    part: ConditionSyntax


ConditionSyntax = CompareSyntax | AllSyntax | AnySyntax | NotSyntax


# --- processes -----------------------------------------------------------------------------


@dataclass
class ActorSyntax:
    role: Name
    where: str  # routed_office / office / center / window
    office: Name | None = None
    level: Name | None = None


@dataclass
class ActionSyntax:
    name: Name
    label: str | None
    effect: str | None = None
    target: Name | None = None
    form: Name | None = None
    requires_reason: bool = False
    condition: ConditionSyntax | None = None
    outcome: Name | None = None


@dataclass
class EffectSyntax:
    at: Token
    kind: str  # remind / colour / supervise / escalate
    target: Name | None = None  # role or colour
    level: Name | None = None


@dataclass
class StageSyntax:
    at: Token
    effects: list[EffectSyntax]
    fraction: FractionSyntax | None = None
    after_due: DurationSyntax | None = None
    overdue: bool = False


@dataclass
class DeadlineSyntax:
    at: Token
    default: DurationSyntax | None = None
    by_severity: list[tuple[Name, DurationSyntax]] = field(default_factory=list)
    by_level: list[tuple[Name, DurationSyntax]] = field(default_factory=list)
    calendar: Name | None = None
    stages: list[StageSyntax] = field(default_factory=list)
    allow: list[Name] = field(default_factory=list)
    approver: Name | None = None


@dataclass
class EvaluationSyntax:
    at: Token
    by: list[Name] = field(default_factory=list)
    scale: list[Name] = field(default_factory=list)
    low: list[Name] = field(default_factory=list)
    on_low: str = "follow_up"
    target: Name | None = None


@dataclass
class RevisitSyntax:
    at: Token
    share: FractionSyntax | None  # None when a fixed number (`count`) is written instead
    period: Name | None = None
    on_fail: Name | None = None
    count: Token | None = None  # `回访 30 件`: cases per period


@dataclass
class StepDecl:
    name: Name
    label: str | None
    kind: Name | None = None
    actor: ActorSyntax | None = None
    form: Name | None = None
    ticket: Name | None = None
    actions: list[ActionSyntax] = field(default_factory=list)
    deadline: DeadlineSyntax | None = None
    participants: list[ActorSyntax] = field(default_factory=list)
    evaluation: EvaluationSyntax | None = None
    revisit: RevisitSyntax | None = None
    end: bool = False  # written with the `终点` shorthand
    beside: list[Name] = field(default_factory=list)  # 伴随: a supervision link's steps


@dataclass
class ProcessDecl:
    name: Name
    label: str | None
    start: Name | None = None
    deadline: DeadlineSyntax | None = None
    steps: list[StepDecl] = field(default_factory=list)


# --- supervision as a duty (督办, i20super) ---
@dataclass
class SupervisionDecl:
    at: Token
    supervisors: list[tuple[Name, Name]] = field(default_factory=list)  # (role, level)
    replier: Name | None = None
    reply: DeadlineSyntax | None = None


Item = (
    CountyDecl
    | LevelsDecl
    | CenterDecl
    | CenterListDecl
    | RolesDecl
    | OfficeDecl
    | StudioDecl
    | WindowDecl
    | CategoriesDecl
    | SeveritiesDecl
    | ChannelsDecl
    | RouteDecl
    | FallbackDecl
    | DiversionDecl
    | OutcomeDecl
    | LetterDecl
    | RewardDecl
    | CourtLinkDecl
    | CalendarDecl
    | ProcessDecl
    | SupervisionDecl
    | ScreeningDecl
    | WarningDecl
    | KeyPersonsDecl
)


@dataclass
class FileSyntax:
    path: str
    items: list[Item]
