"""The compiled county definition: immutable, typed, validated; what the engine runs.

`dsl.compile_county` builds a `County` from the text files and form files of one county. Every
reference in it has been checked, so the engine may index the mappings without guarding.
Keys are the names the administrator wrote (often Chinese); `name` is the display label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from dsl.prevention_model import KeyPersonRules, Screening, WarningRule

# Field metadata: leave the field out of the content hash (dsl.hashing) while it has its
# default, so adding an optional construct to the language does not change the hash of every
# version already published (a stored version must recompile to the hash it was stored with).
HASH_ONLY_IF_SET = "hash_only_if_set"

# --- organisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    key: str  # e.g. "县"
    name: str  # e.g. "县级"
    rank: int  # 0 = the top level; children have higher ranks


@dataclass(frozen=True)
class Center:
    key: str  # unique in the county, e.g. "城关镇" or "城关镇/东门村"
    name: str
    level: str  # Level.key
    parent: str | None  # Center.key; None only for the top center
    tags: frozenset[str] = frozenset()  # free labels used by routing, e.g. {"海岛"}


StationingMode = Literal["resident", "rotating", "on_call"]  # 常驻 / 轮驻 / 随叫随驻


@dataclass(frozen=True)
class Stationing:
    mode: StationingMode
    weekdays: tuple[int, ...] = ()  # rotating: ISO weekdays 1..7 the office is present


@dataclass(frozen=True)
class Office:
    """An office stationed in centers: in every center of `levels`, or in the listed centers."""

    key: str  # e.g. "司法所"
    name: str
    roles: tuple[str, ...]  # Role.key values that exist inside this office
    stationing: Stationing
    levels: tuple[str, ...] = ()  # stationed in every center of these levels
    centers: tuple[str, ...] = ()  # and/or in these specific centers
    kind: str = ""  # e.g. "调委会", "法院": the dashboards add offices of a kind up
    # `联系 "…"`: who to call to bring an on-call (or rotating) office in. Left out of the
    # content hash while unset, so versions published before it existed keep their hash.
    contact: str = field(default="", metadata={HASH_ONLY_IF_SET: True})


@dataclass(frozen=True)
class Role:
    key: str  # e.g. "调解员"
    name: str


@dataclass(frozen=True)
class Studio:
    """A brand mediation studio (品牌调解工作室), counted separately in reports."""

    key: str
    name: str
    office: str  # Office.key it belongs to
    center: str | None  # Center.key, None when at every center of the office
    mediator: str  # the named mediator


@dataclass(frozen=True)
class Window:
    key: str
    name: str
    universal: bool  # 无差别综合受理窗口
    offices: tuple[str, ...]  # Office.key values staffing it
    levels: tuple[str, ...] = ()  # present at every center of these levels
    centers: tuple[str, ...] = ()  # and/or at these centers


# --- classification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str  # e.g. "离婚纠纷"
    name: str
    parent: str | None  # e.g. "婚姻家庭"


@dataclass(frozen=True)
class Severity:
    key: str  # 一般 / 较大 / 重大 / 重特大
    name: str
    rank: int  # 0 = the mildest


@dataclass(frozen=True)
class Channel:
    key: str  # 来访, 12345, 网格, 线上, 110, 信访, 排查
    name: str
    in_person: bool  # counts as a visit (来访) for the one-visit / zero-visit figures


# --- conditions on case data --------------------------------------------------------------

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is set", "is not set"]


@dataclass(frozen=True)
class Comparison:
    path: str  # "case.severity", "case.category", "data.amount", "form.是否申请法律援助"
    op: Operator
    value: Any = None  # a scalar, or a tuple for "in"


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Comparison | AllOf | AnyOf | Not


# --- routing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """category x severity x location -> handling level and office; first match wins."""

    categories: tuple[str, ...]  # empty = any; a category matches its subcategories too
    severities: tuple[str, ...]  # empty = any
    location_tags: tuple[str, ...]  # empty = any; else the case's center or an ancestor has one
    level: str  # Level.key that handles it
    office: str  # Office.key stationed at that level's center
    process: str | None = None  # Process.key; None = the county's default process
    response: Duration | None = None  # e.g. someone on site within 30 minutes
    response_mode: str = ""  # e.g. "到场" (on site) or "线上调解" (online mediation)
    line: int = 0  # source line, for explanations


@dataclass(frozen=True)
class Fallback:
    """When no route matches: the universal window keeps the case (兜底化解)."""

    window: str  # Window.key (universal)
    office: str  # Office.key that owns the kept case
    level: str | None = None  # None = the level where the case was received


@dataclass(frozen=True)
class Diversion:
    """A legal channel a matter is guided to: arbitration, reconsideration, litigation, ..."""

    key: str  # e.g. "劳动仲裁"
    name: str
    target: str  # e.g. "劳动人事争议仲裁委" (an Office.key or an external body's name)
    categories: tuple[str, ...] = ()  # categories that by law belong there
    outcome_required: bool = True  # the outcome must be recorded before the case closes


# The 分流 action's form names the diversion in one of these fields (the first found), and the
# receiving channel's outcome (回告) in one of the second.
DIVERSION_CHOICE_FIELDS = ("diversion", "channel", "引导途径")
DIVERSION_OUTCOME_FIELDS = ("outcome", "去向结果", "回告")
# What an outcome may mean (结果类别), key -> (Chinese word, English word): the figures count
# meanings, never outcome names (a county may call its mediated success 化解成功).
OUTCOME_MEANINGS: Mapping[str, tuple[str, str]] = {
    "resolved": ("化解", "resolved"),  # resolved other than by a mediation
    "mediated": ("调解成功", "mediated"),  # mediated successfully (resolved too)
    "mediation_failed": ("调解不成", "mediation_failed"),  # mediated without success
    "unresolved": ("未化解", "unresolved"),
    "diverted": ("分流", "diverted"),  # guided to arbitration, reconsideration, ...
    "to_court": ("诉讼", "to_court"),  # sent to court
    # A mediation agreement the court confirmed (司法确认; issue 22, i22models): mediated and
    # resolved, and a reward of its own where a county pays per confirmation (计件奖励).
    "confirmed": ("司法确认", "confirmed"),
}


# --- the court link (诉调对接, dsl/court.py, engine/court.py) ---
@dataclass(frozen=True)
class CourtLink:
    """`法院对接 法院 { … }`: what the center hands to the court and follows to the end."""

    court: str  # Office.key of the court; its liaison (联络员) records what the court did
    liaison: str  # Role.key in that office
    hand_offs: tuple[str, ...] = ()  # Diversion keys whose case waits for the court (等待法院)
    back_to: str = ""  # Step.key a case reopens at when the court sends it back / refuses
    confirmation_field: str = ""  # boolean form field: the agreement goes for 司法确认
    referrals: Mapping[str, Deadline] = field(default_factory=dict)  # channel -> its deadline


@dataclass(frozen=True)
class RouteDecision:
    level: str
    office: str
    process: str
    route: Route | None  # None when the fallback decided
    response: Duration | None = None
    response_mode: str = ""


# --- time --------------------------------------------------------------------------------

DurationUnit = Literal["minute", "hour", "day", "workday", "month", "end_of_workday"]


@dataclass(frozen=True)
class Duration:
    """An amount of time; `end_of_workday` means "by the end of the working day" (amount 0)."""

    amount: int
    unit: DurationUnit


@dataclass(frozen=True)
class Calendar:
    """Chinese working days (holidays and make-up days from chinesecalendar) plus overrides."""

    key: str
    name: str
    extra_holidays: frozenset[date] = frozenset()  # local days off
    extra_workdays: frozenset[date] = frozenset()  # local make-up working days
    workday_start: tuple[int, int] = (8, 30)  # local time (UTC+8)
    workday_end: tuple[int, int] = (17, 30)


StageEffectKind = Literal["remind", "colour", "supervise", "escalate"]


@dataclass(frozen=True)
class StageEffect:
    kind: StageEffectKind
    colour: str = ""  # colour: the grade to set, e.g. "黄" / "红"
    role: str = ""  # remind / supervise: who gets the notice or the supervision ticket
    at_level: str = ""  # supervise: the level whose center hosts that role (e.g. "县")


@dataclass(frozen=True)
class Stage:
    """What happens as time passes: at a share of the allowed time, or some time after it."""

    effects: tuple[StageEffect, ...]
    fraction: float | None = None  # e.g. 0.8 = at 80% of the allowed time
    after_due: Duration | None = None  # e.g. Duration(0, "day") = when overdue; 2 days later


@dataclass(frozen=True)
class Deadline:
    """A deadline rule, with allowed time depending on severity or level, and its stages."""

    default: Duration | None
    by_severity: Mapping[str, Duration] = field(default_factory=dict)
    by_level: Mapping[str, Duration] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    calendar: str = ""  # Calendar.key; "" = the county's default calendar
    suspend_allowed: bool = False
    extend_allowed: bool = False
    approver_role: str = ""  # who approves suspension or extension ("" = nobody needed)

    def allowed(self, severity: str, level: str) -> Duration | None:
        """Severity rules win over level rules, which win over the default."""
        if severity in self.by_severity:
            return self.by_severity[severity]
        if level in self.by_level:
            return self.by_level[level]
        return self.default


# --- processes (ticket chains) ------------------------------------------------------------

ActorWhere = Literal["routed_office", "office", "center", "window"]


@dataclass(frozen=True)
class Actor:
    """Who works a step: a role at the office routing chose, a named office, or a center."""

    role: str  # Role.key
    where: ActorWhere
    office: str = ""  # where == "office": Office.key
    level: str = ""  # where == "center": the Level.key of the case's center chain ("" = current)


ActionEffect = Literal[
    "complete",  # go to `target`
    "return",  # back to `target` (usually dispatch) with a reason
    "transfer",  # to another office chosen in the form, same step
    "escalate",  # move the case to the parent center, then go to `target`
    "push_down",  # move the case to a child center, then go to `target`
    "reopen",  # reopen a closed case at `target`
    "suspend",  # stop the clock (reason, approver)
    "extend",  # add time (reason, approver)
    "divert",  # guide to a legal channel (Diversion) and record the outcome
    "close",  # finish the case
]


@dataclass(frozen=True)
class Action:
    key: str  # e.g. "受理", "退回"
    name: str
    effect: ActionEffect
    target: str | None  # Step.key; None for suspend / extend / close
    form: str | None = None  # form name the action asks for (overrides the step's)
    requires_reason: bool = False
    condition: Condition | None = None  # offered only when the case data satisfies it
    outcome: str = ""  # a resolution label recorded on the case: "化解成功", "调解不成" ...


# Actions that record the step's work fill the step's form unless they name their own; the
# others (return, transfer, escalate, ...) carry a reason or their own data only.
FORM_EFFECTS: tuple[ActionEffect, ...] = ("complete", "close", "reopen")


def action_form(step: Step | None, action: Action) -> str | None:
    """The form an action asks for: its own, else its step's (for FORM_EFFECTS)."""
    if action.form:
        return action.form
    return step.form if step is not None and action.effect in FORM_EFFECTS else None


# "supervision": a link (督办单) that runs beside the steps it names (`伴随`), never blocking them
StepKind = Literal["task", "consultation", "evaluation", "verification", "end", "supervision"]


@dataclass(frozen=True)
class Step:
    key: str  # e.g. "派单"
    name: str
    kind: StepKind
    actor: Actor | None  # None for "end"
    form: str | None  # form name (key of County.forms)
    actions: tuple[Action, ...]
    deadline: Deadline | None = None
    ticket: str = ""  # the ticket (单) this step issues, e.g. "派单", "督办单"; "" = the step key
    participants: tuple[Actor, ...] = ()  # consultation: one ticket per participant, joined
    evaluation: Evaluation | None = None  # kind == "evaluation"
    revisit: Revisit | None = None  # kind == "verification"
    line: int = 0
    # kind == "supervision": the steps it runs beside (伴随); its ticket opens when the case
    # enters the first of them and closes when the case leaves them all (engine/supervision_link)
    beside: tuple[str, ...] = field(default=(), metadata={HASH_ONLY_IF_SET: True})


@dataclass(frozen=True)
class Evaluation:
    by: tuple[Literal["party", "center"], ...]
    scale: tuple[str, ...]  # best first: ("满意", "基本满意", "不满意")
    low_scores: tuple[str, ...]  # scores that trigger `on_low`
    on_low: Literal["follow_up", "reopen"]
    target: str  # Step.key the follow-up / reopening goes to


@dataclass(frozen=True)
class Revisit:
    share: float  # 1.0 = every closed case; 0.2 = a random 20% sample; 0.0 with `count`
    period: Literal["day", "week", "month"] = "month"
    on_fail: str = ""  # Step.key to reopen at when the revisit finds it unsettled
    # `回访 30 件 每 月`: this many cases per period instead of a share. Left out of the
    # content hash while unset, so versions published before it existed keep their hash.
    count: int | None = field(default=None, metadata={HASH_ONLY_IF_SET: True})

    @property
    def sampled(self) -> bool:
        """Drawn per period after closing (a share under 100% or a fixed number), rather than
        a step of the chain that every case goes through."""
        return self.count is not None or self.share < 1.0

    def amount(self) -> str:
        """How much is revisited, as the definition says it: 「30%」 or 「30 件」."""
        return f"{self.count} 件" if self.count is not None else f"{self.share:.0%}"


@dataclass(frozen=True)
class Process:
    key: str  # e.g. "五单"
    name: str
    start: str  # Step.key
    steps: Mapping[str, Step]  # in source order
    case_deadline: Deadline | None = None
    line: int = 0

    def step(self, key: str) -> Step:
        return self.steps[key]


# --- supervision as a duty (督办, i20super; dsl/supervision.py, engine/supervision.py) ---


@dataclass(frozen=True)
class Supervisor:
    """Who may issue a 督办单 by hand: a role at a center of this level, on the cases of that
    center and the centers below it."""

    role: str  # Role.key
    level: str  # Level.key


@dataclass(frozen=True)
class SupervisionDuty:
    supervisors: tuple[Supervisor, ...]
    replier: str  # the role at the targeted office that replies
    reply: Deadline  # the default reply time (the supervisor may set another) and its stages


# --- forms and the county ------------------------------------------------------------------


@dataclass(frozen=True)
class FormRef:
    name: str  # e.g. "受理登记"
    path: str  # relative to the county folder, e.g. "forms/受理登记.json"
    schema: Mapping[str, Any]
    ui: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class OnlineField:
    key: str  # a top-level field of the intake form
    label: str | None = None  # the public's word for it, instead of the form's title
    help: str | None = None


@dataclass(frozen=True)
class OnlineIntake:
    """网上受理: the public version of the intake form. Only `fields` are shown; every other
    field takes its default (`defaults`, else the schema's), the channel is the online one."""

    fields: tuple[OnlineField, ...]
    title: str | None = None
    lead: str | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)


# --- letters (函/单 documents, dsl/letters.py; engine/letters.py runs them) ---------------------
@dataclass(frozen=True)
class LetterKind:
    """A declared kind of numbered letter (督办函, 转送交办单, 风险预警函 ...)."""

    key: str
    title: str  # what the letter is headed, e.g. "督办函"
    number_pattern: str  # e.g. "孝综督函〔{年}〕{号}号": {年} the year, {号} the serial
    addressees: tuple[str, ...]  # Office keys a letter of this kind may be sent to
    reply_within: Duration  # the reply deadline, on `calendar`
    issuers: tuple[str, ...]  # Role keys that may issue (签发) it
    body: tuple[str, ...]  # paragraphs with {placeholders} (dsl/letters.py BODY_FIELDS)
    calendar: str = ""  # "" = the county's default calendar
    needs_case: bool = False  # the body names a case's facts: issued from a case only


@dataclass(frozen=True)
class County:
    key: str  # folder name, e.g. "putuo"
    name: str  # e.g. "普陀区"
    levels: Mapping[str, Level]
    centers: Mapping[str, Center]
    roles: Mapping[str, Role]
    offices: Mapping[str, Office]
    studios: Mapping[str, Studio]
    windows: Mapping[str, Window]
    categories: Mapping[str, Category]
    severities: Mapping[str, Severity]
    channels: Mapping[str, Channel]
    routes: tuple[Route, ...]
    fallback: Fallback | None
    diversions: Mapping[str, Diversion]
    calendars: Mapping[str, Calendar]
    default_calendar: str
    processes: Mapping[str, Process]
    default_process: str
    intake_form: str  # FormRef name
    forms: Mapping[str, FormRef]
    colours: tuple[str, ...] = ("蓝", "黄", "橙", "红")  # mildest first
    # outcome name -> its declared meaning (a key of OUTCOME_MEANINGS): what the figures count
    outcomes: Mapping[str, str] = field(default_factory=dict, metadata={HASH_ONLY_IF_SET: True})
    # 计件奖励 (issue 22): outcome meaning -> yuan paid per case, for the monthly reward ledger
    reward_rates: Mapping[str, int] = field(default_factory=dict, metadata={HASH_ONLY_IF_SET: True})
    code_prefix: str = ""  # 一案一码 prefix, e.g. "PT"
    files: Mapping[str, str] = field(default_factory=dict)  # relative path -> source text
    content_hash: str = ""  # sha256 of the canonical compiled form: the version identity
    # Contact details for the public (receipt, progress page) and the public intake.
    address: str = field(default="", metadata={HASH_ONLY_IF_SET: True})
    phone: str = field(default="", metadata={HASH_ONLY_IF_SET: True})
    online: OnlineIntake | None = field(default=None, metadata={HASH_ONLY_IF_SET: True})
    # letter kinds by key (函件 …, dsl/letters.py)
    letters: Mapping[str, LetterKind] = field(
        default_factory=dict, metadata={HASH_ONLY_IF_SET: True}
    )
    # the court link (诉调对接); None = the county declares none (a diversion ends the case)
    court: CourtLink | None = field(default=None, metadata={HASH_ONLY_IF_SET: True})
    # 督办: who may issue a 督办单 by hand, who replies, how fast (i20super)
    supervision: SupervisionDuty | None = field(default=None, metadata={HASH_ONLY_IF_SET: True})
    # prevention (排查预警, dsl/prevention.py): screening rounds and correlated-warning rules
    screenings: Mapping[str, Screening] = field(
        default_factory=dict, metadata={HASH_ONLY_IF_SET: True}
    )
    warning_rules: Mapping[str, WarningRule] = field(
        default_factory=dict, metadata={HASH_ONLY_IF_SET: True}
    )
    # key persons (重点人员, dsl/key_persons.py; i21persons); None = the county keeps no register
    key_persons: KeyPersonRules | None = field(default=None, metadata={HASH_ONLY_IF_SET: True})
