"""Lark parse tree -> `dsl.syntax` objects (one file at a time, positions kept)."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from dsl import syntax as s
from dsl.diagnostics import Diagnostic

Stmt = tuple[str, Any, Token]  # (field, value, position) from a statement inside a block


def _pos(meta: Meta) -> Token:
    return Token("POS", "", line=getattr(meta, "line", 1), column=getattr(meta, "column", 1))


def _split(parts: tuple[Any, ...]) -> tuple[Token, str | None, list[Any]]:
    """`name label? rest...`: the name, the label when present, and the rest."""
    name, rest = parts[0], list(parts[1:])
    label = None
    if rest and isinstance(rest[0], str) and not isinstance(rest[0], Token):
        label = rest.pop(0)
    return name, label, rest


def _stmt(key: str) -> Any:
    """A transformer method turning `keyword value` into the statement (key, value, position)."""

    @v_args(meta=True, inline=True)
    def method(self: Any, meta: Meta, *values: Any) -> Stmt:
        value = values[0] if len(values) == 1 else list(values)
        return (key, value, _pos(meta))

    return method


@v_args(inline=True)
class ToSyntax(Transformer[Token, s.FileSyntax]):
    """Builds typed syntax; repeated single-valued statements become diagnostics."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.file_path = path
        self.diagnostics: list[Diagnostic] = []

    # --- helpers --------------------------------------------------------------------------

    def _fill(self, target: Any, stmts: list[Stmt], lists: frozenset[str] = frozenset()) -> None:
        seen: set[str] = set()
        for key, value, at in stmts:
            if key in lists:
                getattr(target, key).extend(value if isinstance(value, list) else [value])
                continue
            if key in seen:
                self.diagnostics.append(
                    Diagnostic(
                        self.file_path, at.line or 1, at.column or 1, "error",
                        "此项在同一处重复书写，只能写一次",
                        "this statement is repeated; write it only once",
                    )
                )  # fmt: skip
            seen.add(key)
            setattr(target, key, value)

    # --- basics ---------------------------------------------------------------------------

    def name(self, tok: Token) -> Token:
        if tok.type == "STRING":
            return Token.new_borrow_pos("NAME", tok[1:-1], tok)
        return tok

    def label(self, tok: Token) -> str:
        return str(tok[1:-1])

    def names(self, *items: Token) -> list[Token]:
        return list(items)

    def labelled(self, *parts: Any) -> s.Labelled:
        name, label, _ = _split(parts)
        return s.Labelled(name, label)

    def dur(self, amount: Token, unit: Token) -> s.DurationSyntax:
        return s.DurationSyntax(amount, amount, unit)

    @v_args(meta=True, inline=True)
    def dur_eod(self, meta: Meta) -> s.DurationSyntax:
        return s.DurationSyntax(_pos(meta), None, None)

    def percent(self, number: Token) -> s.FractionSyntax:
        return s.FractionSyntax(number, True)

    def ratio(self, number: Token) -> s.FractionSyntax:
        return s.FractionSyntax(number, False)

    def start(self, *items: s.Item) -> s.FileSyntax:
        return s.FileSyntax(self.file_path, list(items))

    # --- county and organisation ----------------------------------------------------------

    @v_args(meta=True, inline=True)
    def county(self, meta: Meta, name: Token, *stmts: Stmt) -> s.CountyDecl:
        decl = s.CountyDecl(_pos(meta), name)
        self._fill(decl, list(stmts))
        return decl

    code = _stmt("code")
    intake = _stmt("intake")
    default_process = _stmt("default_process")
    default_calendar = _stmt("default_calendar")
    colours = _stmt("colours")
    address = _stmt("address")
    phone = _stmt("phone")

    @v_args(meta=True, inline=True)
    def online(self, meta: Meta, *stmts: Stmt) -> Stmt:
        block = s.OnlineSyntax(_pos(meta))
        self._fill(block, list(stmts), frozenset({"fields", "defaults"}))
        return ("online", block, _pos(meta))

    on_title = _stmt("title")
    on_lead = _stmt("lead")

    @v_args(meta=True, inline=True)
    def on_field(self, meta: Meta, name: Token, *words: Any) -> Stmt:
        label = next((w for w in words if isinstance(w, str)), None)
        help_text = next((w[1] for w in words if isinstance(w, tuple)), None)
        return ("fields", s.OnlineFieldSyntax(name, label, help_text), _pos(meta))

    def field_help(self, text: str) -> tuple[str, str]:
        return ("help", text)

    @v_args(meta=True, inline=True)
    def on_default(self, meta: Meta, key: Token, value: Token) -> Stmt:
        return ("defaults", (key, value), _pos(meta))

    @v_args(meta=True, inline=True)
    def levels(self, meta: Meta, *items: s.Labelled) -> s.LevelsDecl:
        return s.LevelsDecl(_pos(meta), list(items))

    def center(self, *parts: Any) -> s.CenterDecl:
        name, label, rest = _split(parts)
        decl = s.CenterDecl(name, label)
        self._fill(decl, rest)
        return decl

    c_level = _stmt("level")
    c_parent = _stmt("parent")
    c_tags = _stmt("tags")

    def center_list(self, file: Token) -> s.CenterListDecl:
        return s.CenterListDecl(Token.new_borrow_pos("NAME", file[1:-1], file))

    def roles(self, *items: s.Labelled) -> s.RolesDecl:
        return s.RolesDecl(list(items))

    def office(self, *parts: Any) -> s.OfficeDecl:
        name, label, rest = _split(parts)
        decl = s.OfficeDecl(name, label)
        self._fill(decl, rest, frozenset({"roles", "levels", "centers"}))
        return decl

    o_kind = _stmt("kind")
    o_roles = _stmt("roles")
    o_stationing = _stmt("stationing")
    o_levels = _stmt("levels")
    o_centers = _stmt("centers")
    o_contact = _stmt("contact")

    @v_args(meta=True, inline=True)
    def resident(self, meta: Meta) -> s.StationingSyntax:
        return s.StationingSyntax(_pos(meta), "resident")

    @v_args(meta=True, inline=True)
    def rotating(self, meta: Meta, days: list[Token]) -> s.StationingSyntax:
        return s.StationingSyntax(_pos(meta), "rotating", days)

    @v_args(meta=True, inline=True)
    def on_call(self, meta: Meta) -> s.StationingSyntax:
        return s.StationingSyntax(_pos(meta), "on_call")

    def studio(self, *parts: Any) -> s.StudioDecl:
        name, label, rest = _split(parts)
        decl = s.StudioDecl(name, label)
        self._fill(decl, rest)
        return decl

    s_office = _stmt("office")
    s_center = _stmt("center")
    s_mediator = _stmt("mediator")

    def window(self, *parts: Any) -> s.WindowDecl:
        name, label, rest = _split(parts)
        decl = s.WindowDecl(name, label)
        self._fill(decl, rest, frozenset({"offices", "levels", "centers"}))
        return decl

    @v_args(meta=True, inline=True)
    def w_universal(self, meta: Meta) -> Stmt:
        return ("universal", True, _pos(meta))

    w_offices = _stmt("offices")
    w_levels = _stmt("levels")
    w_centers = _stmt("centers")

    # --- classification -------------------------------------------------------------------

    def categories(self, *items: s.CategoryDecl) -> s.CategoriesDecl:
        return s.CategoriesDecl(list(items))

    def category(self, *parts: Any) -> s.CategoryDecl:
        name, label, rest = _split(parts)
        return s.CategoryDecl(name, label, [c for c in rest if isinstance(c, s.CategoryDecl)])

    def severities(self, *items: s.Labelled) -> s.SeveritiesDecl:
        return s.SeveritiesDecl(list(items))

    def channels(self, *items: s.ChannelDecl) -> s.ChannelsDecl:
        return s.ChannelsDecl(list(items))

    def channel(self, *parts: Any) -> s.ChannelDecl:
        name, label, rest = _split(parts)
        return s.ChannelDecl(name, label, bool(rest and rest[0] is True))

    def in_person(self) -> bool:
        return True

    # --- routing --------------------------------------------------------------------------

    @v_args(meta=True, inline=True)
    def route(self, meta: Meta, *parts: Any) -> s.RouteDecl:
        stmts = [p for p in parts if isinstance(p, tuple)]
        level, office = [p for p in parts if isinstance(p, Token)]
        decl = s.RouteDecl(_pos(meta), level, office)
        self._fill(decl, stmts, frozenset({"categories", "severities", "tags"}))
        if isinstance(decl.response, tuple):  # r_response carries (duration, mode)
            decl.response, decl.response_mode = decl.response
        return decl

    r_categories = _stmt("categories")
    r_severities = _stmt("severities")
    r_tags = _stmt("tags")
    r_process = _stmt("process")

    @v_args(meta=True, inline=True)
    def r_response(self, meta: Meta, duration: s.DurationSyntax, mode: Token | None) -> Stmt:
        return ("response", (duration, mode), _pos(meta))

    @v_args(meta=True, inline=True)
    def fallback(self, meta: Meta, *stmts: Stmt) -> s.FallbackDecl:
        decl = s.FallbackDecl(_pos(meta))
        self._fill(decl, list(stmts))
        return decl

    f_window = _stmt("window")
    f_office = _stmt("office")
    f_level = _stmt("level")

    def diversion(self, *parts: Any) -> s.DiversionDecl:
        name, label, rest = _split(parts)
        decl = s.DiversionDecl(name, label, rest[0])
        self._fill(decl, rest[1:], frozenset({"categories"}))
        return decl

    d_categories = _stmt("categories")

    @v_args(meta=True, inline=True)
    def d_no_outcome(self, meta: Meta) -> Stmt:
        return ("outcome_required", False, _pos(meta))

    def outcome_meaning(self, name: Token, meaning: Token) -> s.OutcomeDecl:
        return s.OutcomeDecl(name, meaning)

    # --- letters (dsl/letters.py) ---------------------------------------------------------

    def letter(self, *parts: Any) -> s.LetterDecl:
        name, label, rest = _split(parts)
        decl = s.LetterDecl(name, label)
        stmts = [p for p in rest if isinstance(p, tuple)]
        self._fill(decl, stmts, frozenset({"addressees", "issuers", "body"}))
        decl.at = {key: at for key, _, at in stmts}
        return decl

    lt_number = _stmt("number")
    lt_addressees = _stmt("addressees")
    lt_reply = _stmt("reply")
    lt_calendar = _stmt("calendar")
    lt_issuers = _stmt("issuers")
    lt_body = _stmt("body")
    # --- supervision as a duty (督办, i20super) ---

    @v_args(meta=True, inline=True)
    def supervision_duty(self, meta: Meta, *stmts: Stmt) -> s.SupervisionDecl:
        decl = s.SupervisionDecl(_pos(meta))
        self._fill(decl, list(stmts), frozenset({"supervisors"}))
        return decl

    @v_args(meta=True, inline=True)
    def du_by(self, meta: Meta, *pairs: tuple[Token, Token]) -> Stmt:
        return ("supervisors", list(pairs), _pos(meta))

    def duty_by(self, role: Token, level: Token) -> tuple[Token, Token]:
        return (role, level)

    du_replier = _stmt("replier")
    du_reply = _stmt("reply")

    # Per-case rewards (调解计件奖励, issue 22).
    def reward_rates(self, *rates: tuple[Token, Token]) -> s.RewardDecl:
        return s.RewardDecl(list(rates))

    def reward_rate(self, meaning: Token, amount: Token) -> tuple[Token, Token]:
        return (meaning, amount)

    # --- the court link (诉调对接, dsl/court.py) -------------------------------------------

    def court_link(self, court: Token, *stmts: Stmt) -> s.CourtLinkDecl:
        decl = s.CourtLinkDecl(court)
        self._fill(decl, list(stmts), frozenset({"hand_off", "referral"}))
        return decl

    ct_liaison = _stmt("liaison")
    ct_hand_off = _stmt("hand_off")
    ct_back_to = _stmt("back_to")
    ct_confirmation = _stmt("confirmation")

    @v_args(meta=True, inline=True)
    def ct_referral(self, meta: Meta, channel: Token, deadline: s.DeadlineSyntax) -> Stmt:
        return ("referral", [(channel, deadline)], _pos(meta))

    # --- calendars ------------------------------------------------------------------------

    # --- prevention (排查预警, dsl/prevention.py) ---

    def screening(self, *parts: Any) -> s.ScreeningDecl:
        name, label, rest = _split(parts)
        decl = s.ScreeningDecl(name, label)
        self._fill(decl, rest)
        return decl

    sc_screener = _stmt("screener")
    sc_cadence = _stmt("cadence")
    sc_form = _stmt("form")
    sc_calendar = _stmt("calendar")

    def warning_rule(self, *parts: Any) -> s.WarningDecl:
        name, label, rest = _split(parts)
        decl = s.WarningDecl(name, label)
        self._fill(decl, rest)
        return decl

    wr_same = _stmt("same")
    wr_times = _stmt("times")
    wr_within = _stmt("within")
    wr_sources = _stmt("sources")
    wr_grade = _stmt("grade")
    wr_assign = _stmt("assign")
    wr_letter = _stmt("letter")  # 预警函 K 给 O (issue 21.5)

    # --- key persons (重点人员, dsl/key_persons.py; i21persons) ---

    @v_args(meta=True, inline=True)
    def key_persons(self, meta: Meta, categories: list[Token], *stmts: Stmt) -> s.KeyPersonsDecl:
        at = Token("NAME", "重点人员", line=meta.line, column=meta.column)
        decl = s.KeyPersonsDecl(at, categories)
        self._fill(decl, list(stmts), frozenset({"full"}))
        return decl

    kp_visit = _stmt("visit")

    @v_args(meta=True, inline=True)
    def kp_full(self, meta: Meta, *seers: tuple[Token, Token]) -> Stmt:
        return ("full", list(seers), _pos(meta))

    def kp_seer(self, role: Token, level: Token) -> tuple[Token, Token]:
        return (role, level)

    def calendar(self, *parts: Any) -> s.CalendarDecl:
        name, label, rest = _split(parts)
        decl = s.CalendarDecl(name, label)
        self._fill(decl, [p for p in rest if p is not None], frozenset({"holidays", "workdays"}))
        return decl

    def day(self, first: Token, last: Token | None) -> tuple[Token, Token | None]:
        return (first, last)

    cal_holidays = _stmt("holidays")
    cal_workdays = _stmt("workdays")

    @v_args(meta=True, inline=True)
    def cal_hours(self, meta: Meta, start: Token, end: Token) -> Stmt:
        return ("hours", (start, end), _pos(meta))

    # --- processes ------------------------------------------------------------------------

    def process(self, *parts: Any) -> s.ProcessDecl:
        name, label, rest = _split(parts)
        decl = s.ProcessDecl(name, label)
        decl.steps = [p for p in rest if isinstance(p, s.StepDecl)]
        self._fill(decl, [p for p in rest if isinstance(p, tuple)])
        return decl

    p_start = _stmt("start")
    p_deadline = _stmt("deadline")

    def p_end(self, *parts: Any) -> s.StepDecl:
        name, label, _ = _split(parts)
        return s.StepDecl(name, label, end=True)

    def process_stmt(self, step: s.StepDecl) -> s.StepDecl:
        return step

    def step(self, *parts: Any) -> s.StepDecl:
        name, label, rest = _split(parts)
        decl = s.StepDecl(name, label)
        self._fill(decl, rest, frozenset({"actions", "participants", "beside"}))
        return decl

    st_kind = _stmt("kind")
    st_actor = _stmt("actor")
    st_form = _stmt("form")
    st_ticket = _stmt("ticket")
    st_action = _stmt("actions")
    st_deadline = _stmt("deadline")
    st_beside = _stmt("beside")  # a supervision link beside these steps (i20super)

    @v_args(meta=True, inline=True)
    def st_participants(self, meta: Meta, *actors: s.ActorSyntax) -> Stmt:
        return ("participants", list(actors), _pos(meta))

    @v_args(meta=True, inline=True)
    def st_evaluation(self, meta: Meta, *stmts: Stmt) -> Stmt:
        evaluation = s.EvaluationSyntax(_pos(meta))
        self._fill(evaluation, list(stmts))
        if isinstance(evaluation.low, tuple):  # ev_low carries (scores, on_low, target)
            evaluation.low, evaluation.on_low, evaluation.target = evaluation.low
        return ("evaluation", evaluation, _pos(meta))

    @v_args(meta=True, inline=True)
    def st_revisit(
        self, meta: Meta, share: s.FractionSyntax, period: Token | None, on_fail: Token | None
    ) -> Stmt:
        return ("revisit", s.RevisitSyntax(_pos(meta), share, period, on_fail), _pos(meta))

    @v_args(meta=True, inline=True)
    def st_revisit_count(
        self, meta: Meta, count: Token, period: Token | None, on_fail: Token | None
    ) -> Stmt:
        """`回访 30 件 每 月`: a fixed number of cases per period."""
        revisit = s.RevisitSyntax(_pos(meta), None, period, on_fail, count=count)
        return ("revisit", revisit, _pos(meta))

    def actor(self, role: Token, where: tuple[str, Token | None]) -> s.ActorSyntax:
        kind, value = where
        if kind == "office":
            return s.ActorSyntax(role, kind, office=value)
        return s.ActorSyntax(role, kind, level=value)

    def at_routed(self) -> tuple[str, None]:
        return ("routed_office", None)

    def at_office(self, office: Token) -> tuple[str, Token]:
        return ("office", office)

    def at_center(self, level: Token | None) -> tuple[str, Token | None]:
        return ("center", level)

    def at_window(self) -> tuple[str, None]:
        return ("window", None)

    def action(self, *parts: Any) -> s.ActionSyntax:
        name, label, rest = _split(parts)
        decl = s.ActionSyntax(name, label)
        self._fill(decl, rest)
        return decl

    action_target = _stmt("target")

    def __default__(self, data: Any, children: Any, meta: Any) -> Any:
        if isinstance(data, str) and data.startswith("e_"):  # an action effect keyword
            return ("effect", data[2:], _pos(meta))
        return super().__default__(data, children, meta)  # type: ignore[no-untyped-call]

    a_form = _stmt("form")
    a_when = _stmt("condition")
    a_outcome = _stmt("outcome")

    @v_args(meta=True, inline=True)
    def a_reason(self, meta: Meta) -> Stmt:
        return ("requires_reason", True, _pos(meta))

    ev_by = _stmt("by")
    ev_scale = _stmt("scale")

    @v_args(meta=True, inline=True)
    def ev_low(self, meta: Meta, scores: list[Token], on_low: str, target: Token) -> Stmt:
        return ("low", (scores, on_low, target), _pos(meta))

    def low_follow_up(self) -> str:
        return "follow_up"

    def low_reopen(self) -> str:
        return "reopen"

    # --- deadlines ------------------------------------------------------------------------

    @v_args(meta=True, inline=True)
    def deadline_short(self, meta: Meta, duration: s.DurationSyntax) -> s.DeadlineSyntax:
        return s.DeadlineSyntax(_pos(meta), default=duration)

    @v_args(meta=True, inline=True)
    def deadline_block(self, meta: Meta, *stmts: Stmt) -> s.DeadlineSyntax:
        decl = s.DeadlineSyntax(_pos(meta))
        self._fill(decl, list(stmts), frozenset({"by_severity", "by_level", "stages", "allow"}))
        return decl

    dl_default = _stmt("default")
    dl_calendar = _stmt("calendar")
    dl_allow = _stmt("allow")
    dl_approver = _stmt("approver")

    @v_args(meta=True, inline=True)
    def dl_by_severity(self, meta: Meta, *rules: tuple[Token, s.DurationSyntax]) -> Stmt:
        return ("by_severity", list(rules), _pos(meta))

    @v_args(meta=True, inline=True)
    def dl_by_level(self, meta: Meta, *rules: tuple[Token, s.DurationSyntax]) -> Stmt:
        return ("by_level", list(rules), _pos(meta))

    def rule_duration(self, name: Token, duration: s.DurationSyntax) -> tuple[Token, Any]:
        return (name, duration)

    @v_args(meta=True, inline=True)
    def dl_at(self, meta: Meta, share: s.FractionSyntax, effects: list[s.EffectSyntax]) -> Stmt:
        return ("stages", s.StageSyntax(_pos(meta), effects, fraction=share), _pos(meta))

    @v_args(meta=True, inline=True)
    def dl_overdue(
        self, meta: Meta, after: s.DurationSyntax | None, effects: list[s.EffectSyntax]
    ) -> Stmt:
        stage = s.StageSyntax(_pos(meta), effects, after_due=after, overdue=True)
        return ("stages", stage, _pos(meta))

    def stage_effects(self, *effects: s.EffectSyntax) -> list[s.EffectSyntax]:
        return list(effects)

    @v_args(meta=True, inline=True)
    def se_remind(self, meta: Meta, role: Token | None) -> s.EffectSyntax:
        return s.EffectSyntax(_pos(meta), "remind", role)

    @v_args(meta=True, inline=True)
    def se_colour(self, meta: Meta, colour: Token) -> s.EffectSyntax:
        return s.EffectSyntax(_pos(meta), "colour", colour)

    @v_args(meta=True, inline=True)
    def se_supervise(self, meta: Meta, role: Token, level: Token | None) -> s.EffectSyntax:
        return s.EffectSyntax(_pos(meta), "supervise", role, level)

    @v_args(meta=True, inline=True)
    def se_escalate(self, meta: Meta) -> s.EffectSyntax:
        return s.EffectSyntax(_pos(meta), "escalate")

    # --- conditions -----------------------------------------------------------------------

    def or_cond(self, *parts: s.ConditionSyntax) -> s.AnySyntax:
        return s.AnySyntax(list(parts))

    def and_cond(self, *parts: s.ConditionSyntax) -> s.AllSyntax:
        return s.AllSyntax(list(parts))

    def negate(self, part: s.ConditionSyntax) -> s.NotSyntax:
        return s.NotSyntax(part)

    def path(self, *words: Token) -> Token:
        return Token.new_borrow_pos("PATH", ".".join(words), words[0])

    def compare(self, path: Token, op: Token, value: tuple[Any, Token]) -> s.CompareSyntax:
        return s.CompareSyntax(path, "==" if op == "=" else str(op), value[0], value[1])

    def is_in(self, path: Token, values: list[tuple[Any, Token]]) -> s.CompareSyntax:
        return s.CompareSyntax(path, "in", [v for v, _ in values], values[0][1])

    def not_in(self, path: Token, values: list[tuple[Any, Token]]) -> s.CompareSyntax:
        return s.CompareSyntax(path, "not in", [v for v, _ in values], values[0][1])

    def is_set(self, path: Token) -> s.CompareSyntax:
        return s.CompareSyntax(path, "is set", None)

    def is_not_set(self, path: Token) -> s.CompareSyntax:
        return s.CompareSyntax(path, "is not set", None)

    def values(self, *items: tuple[Any, Token]) -> list[tuple[Any, Token]]:
        return list(items)

    def v_string(self, tok: Token) -> tuple[Any, Token]:
        return (str(tok[1:-1]), tok)

    def v_number(self, tok: Token) -> tuple[Any, Token]:
        return (float(tok) if "." in tok else int(tok), tok)

    def v_name(self, tok: Token) -> tuple[Any, Token]:
        # Names win over numbers in the lexer (channels are called 12345): digits are numbers here.
        return (int(tok) if tok.isascii() and tok.isdigit() else str(tok), tok)

    @v_args(meta=True, inline=True)
    def v_true(self, meta: Meta) -> tuple[Any, Token]:
        return (True, _pos(meta))

    @v_args(meta=True, inline=True)
    def v_false(self, meta: Meta) -> tuple[Any, Token]:
        return (False, _pos(meta))
