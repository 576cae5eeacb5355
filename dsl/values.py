"""Durations, shares and conditions: from syntax to model, each checked where it is written."""

from __future__ import annotations

from typing import Any

from dsl import syntax as s
from dsl.context import CATEGORY, CHANNEL, LEVEL, SEVERITY, Context
from dsl.diagnostics import suggestion
from dsl.model import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Duration,
    DurationUnit,
    Not,
    Operator,
)

UNITS: dict[str, DurationUnit] = {
    "分钟": "minute", "分": "minute", "minute": "minute", "minutes": "minute",
    "小时": "hour", "个小时": "hour", "时": "hour", "hour": "hour", "hours": "hour",
    "天": "day", "日": "day", "day": "day", "days": "day",
    "工作日": "workday", "个工作日": "workday", "workday": "workday", "workdays": "workday",
    "月": "month", "个月": "month", "month": "month", "months": "month",
}  # fmt: skip
MAX_AMOUNT = 100_000  # larger numbers are typing mistakes, not deadlines

# case.<field> a condition may test, with the Chinese spellings an administrator may use.
CASE_FIELDS = {
    "category": "category", "事项类型": "category", "类型": "category",
    "severity": "severity", "等级": "severity",
    "channel": "channel", "渠道": "channel",
    "level": "level", "层级": "level",
    "center": "center", "中心": "center",
    "colour": "colour", "颜色": "colour",
    "visits": "visits", "来访次数": "visits",
}  # fmt: skip
ROOTS = {
    "case": "case",
    "案件": "case",
    "data": "data",
    "数据": "data",
    "form": "form",
    "表单": "form",
}
ORDERED = {"<", "<=", ">", ">="}


def duration(ctx: Context, node: s.DurationSyntax) -> Duration | None:
    """A checked duration, or None after reporting why it is invalid."""
    if node.amount is None or node.unit is None:
        return Duration(0, "end_of_workday")
    unit = UNITS.get(str(node.unit))
    if unit is None:
        ctx.known(node.unit, UNITS, ("时间单位", "time unit"))
        return None
    text = str(node.amount)
    if "." in text or int(text) <= 0 or int(text) > MAX_AMOUNT:
        ctx.report(
            node.amount,
            f"无效的时长「{text} {node.unit}」：须为 1 到 {MAX_AMOUNT} 之间的整数",
            f"invalid duration '{text} {node.unit}': use a whole number from 1 to {MAX_AMOUNT}",
            ("不足一个单位时请换用更小的单位，如 30 分钟", "use a smaller unit, e.g. 30 minutes"),
        )
        return None
    return Duration(int(text), unit)


def share(ctx: Context, node: s.FractionSyntax) -> float | None:
    """80% or 0.8 -> 0.8; must be more than 0 and at most 1."""
    value = float(node.at) / (100 if node.percent else 1)
    if not 0 < value <= 1:
        ctx.report(
            node.at,
            f"比例「{node.at}{'%' if node.percent else ''}」无效：须大于 0 且不超过 100%",
            f"invalid share '{node.at}{'%' if node.percent else ''}': use more than 0, up to 100%",
        )
        return None
    return value


def condition(ctx: Context, node: s.ConditionSyntax, tables: dict[str, Any]) -> Condition | None:
    """A checked condition; `tables` maps case fields to the names they may be compared with."""
    if isinstance(node, s.AllSyntax | s.AnySyntax):
        parts = [condition(ctx, p, tables) for p in node.parts]
        if any(p is None for p in parts):
            return None
        done = tuple(p for p in parts if p is not None)
        return AllOf(done) if isinstance(node, s.AllSyntax) else AnyOf(done)
    if isinstance(node, s.NotSyntax):
        part = condition(ctx, node.part, tables)
        return None if part is None else Not(part)
    return _comparison(ctx, node, tables)


def _comparison(ctx: Context, node: s.CompareSyntax, tables: dict[str, Any]) -> Comparison | None:
    root, _, rest = str(node.path).partition(".")
    if root not in ROOTS:
        ctx.known(node.path, ROOTS, ("数据路径开头", "path root"))
        return None
    path = ROOTS[root] + "." + rest
    values = node.value if isinstance(node.value, list) else [node.value]
    if ROOTS[root] == "case":
        field = CASE_FIELDS.get(rest)
        if field is None:
            zh_fields = "、".join(sorted(set(CASE_FIELDS) - set(CASE_FIELDS.values())))
            en_fields = ", ".join(sorted(set(CASE_FIELDS.values())))
            ctx.report(
                node.path,
                f"案件没有「{rest}」这一项；可用：{zh_fields}",
                f"a case has no field '{rest}'; use one of {en_fields}",
            )
            return None
        path = "case." + field
        if node.op in ORDERED and field != "visits":
            ctx.report(
                node.path,
                f"「{rest}」是名称，不能比较大小",
                f"'{rest}' is a name and cannot be ordered",
            )
            return None
        if not _known_values(ctx, node, field, values, tables):
            return None
        values = [str(v) if field != "visits" else v for v in values]
    elif not _known_path(ctx, node, root, rest, tables):
        return None
    elif node.op in ORDERED and not all(isinstance(v, int | float) for v in values):
        ctx.report(
            node.value_at,
            "比较大小时右边须为数字",
            "an ordering comparison needs a number on the right",
        )
        return None
    value: Any = tuple(values) if node.op in ("in", "not in") else values[0]
    op: Operator = node.op  # type: ignore[assignment]  # the grammar only produces operators
    return Comparison(path, op, value)


def _known_values(
    ctx: Context, node: s.CompareSyntax, field: str, values: list[Any], tables: dict[str, Any]
) -> bool:
    what = {"category": CATEGORY, "severity": SEVERITY, "channel": CHANNEL, "level": LEVEL}
    table_of = {"category": "categories", "severity": "severities", "channel": "channels"}
    if field not in what or node.value is None:
        return True
    table = tables[table_of.get(field, "levels")]
    ok = True
    for value in values:
        if str(value) not in table:
            at = node.value_at
            token = at.__class__.new_borrow_pos("NAME", str(value), at) if at else None
            ok = ctx.known(token, table, what[field]) and ok
    return ok


def _known_field(
    ctx: Context, node: s.CompareSyntax, root: str, rest: str, tables: dict[str, Any]
) -> bool:
    """`表单.X` must name a field of the form the action or its step uses (when it has one)."""
    fields = tables.get("form_fields")
    first = rest.split(".")[0]
    if fields is None or first in fields:
        return True
    column = (node.path.column or 1) + len(root) + 1  # the field, after "表单."
    token = node.path.__class__("NAME", first, line=node.path.line, column=column)
    name = tables.get("form_name", "")
    if not name:
        ctx.report(
            token,
            "这个动作没有表单（退回、转办、提级等动作不填写步骤的表单），条件中的「表单.…」无从读取",
            "this action has no form (return, transfer, escalate ... do not fill the step's "
            "form), so '表单.…' in its condition has nothing to read",
        )
        return False
    # The form exists; the name is not one of its field keys. Administrators often write the
    # title they see on the page: say that conditions use the key, and which key has that title.
    titles: dict[str, str] = tables.get("form_titles") or {}
    close = titles.get(first) or suggestion(first, list(fields)) or suggestion(first, titles)
    close = titles.get(close, close)
    shown = "、".join(sorted(fields)[:12]) + ("等" if len(fields) > 12 else "") or "（无）"
    hint = ("", "")
    if first in titles:
        hint = (
            f"「{first}」是字段的标题，条件中请写它的键「{close}」",
            f"'{first}' is the field's title; write its key '{close}'",
        )
    elif close:
        hint = (f"您是不是要写「{close}」？", f"did you mean '{close}'?")
    ctx.report(
        token,
        f"表单「{name}」中没有键为「{first}」的字段：条件中的「表单.…」写字段的键"
        f"（JSON 中 properties 下的名称），不是标题；该表单的键有：{shown}",
        f"form '{name}' has no field with the key '{first}': conditions name a field by its "
        "key (its name under properties), not its title",
        hint,
    )
    return False


def _known_path(
    ctx: Context, node: s.CompareSyntax, root: str, rest: str, tables: dict[str, Any]
) -> bool:
    if ROOTS[root] == "form":
        return _known_field(ctx, node, root, rest, tables)
    return _known_data(ctx, node, root, rest, tables)


def _known_data(
    ctx: Context, node: s.CompareSyntax, root: str, rest: str, tables: dict[str, Any]
) -> bool:
    """`数据.X` reads the case's data, which is what its intake form holds: X (and each further
    part, where the form describes an object's fields) must be a field of that form."""
    properties = tables.get("intake_fields")
    column = (node.path.column or 1) + len(root) + 1
    for part in rest.split("."):
        if not isinstance(properties, dict):
            return True  # no form to check against, or a value the form does not describe
        if part not in properties:
            token = node.path.__class__("NAME", part, line=node.path.line, column=column)
            close = suggestion(part, list(properties))
            ctx.report(
                token,
                f"案件数据中没有「{part}」：数据.… 读的是受理表单的字段，受理表单没有这一项，"
                "这个条件永远不会成立",
                f"the case data has no '{part}': 数据.… reads the intake form, which has no such "
                "field, so the condition would never hold",
                (f"您是不是要写「{close}」？", f"did you mean '{close}'?") if close else ("", ""),
            )
            return False
        column += len(part) + 1
        spec = properties[part]
        properties = spec.get("properties") if isinstance(spec, dict) else None
    return True
