# ruff: noqa: E501  -- step wordings and bilingual messages are prose, kept on one line to grep
"""Registering cases (一窗受理): at a window or through a channel, fields from a data table."""

from __future__ import annotations

from typing import Any

from engine.errors import EngineError
from features.steps.phrases import phrase
from features.steps.tables import TableError, field_names, form_data, rows_of
from features.steps.world import World

# Rows the engine itself needs (besides the intake form): label -> receive() argument.
CASE_FIELDS = {
    "事项类型": "category",
    "category": "category",
    "等级": "severity",
    "severity": "severity",
    "地点": "location",
    "location": "location",
    "来访次数": "visits",
    "visits": "visits",
    "渠道": "channel",
    "channel": "channel",
    "受理中心": "center",
    "received at": "center",
    "案件别名": "alias",
    "alias": "alias",
}
PARTY_KEYS = {"name": ("name", "姓名"), "role": ("role", "身份"), "phone": ("phone", "电话", "联系电话"),
              "id_number": ("id_number", "身份证号")}  # fmt: skip
TABLE_DOC = "两列：字段 | 值。事项类型、等级、地点（中心）、来访次数、案件别名 给引擎；其余按受理表单的字段标题（或键，嵌套用 . 连接）填写，当事人每人一行。"


def _parties(data: dict[str, Any]) -> list[dict[str, Any]]:
    listed = data.get("parties") or data.get("当事人") or []
    parties = []
    for entry in listed if isinstance(listed, list) else []:
        if not isinstance(entry, dict):
            continue
        party = {}
        for target, names in PARTY_KEYS.items():
            value = next((entry[n] for n in names if entry.get(n)), None)
            if value is not None:
                party[target] = value
        parties.append(party)
    return parties


def register(world: World, datatable: list[list[str]], *, channel: str, window: str | None,
             center: str | None) -> None:  # fmt: skip
    county = world.need_county()
    engine = world.need_engine()
    form = county.forms[county.intake_form].schema
    try:
        rows = rows_of(datatable)
        data, unknown = form_data(rows, form, county.intake_form)
    except TableError as error:
        raise world.fail(str(error), str(error)) from None
    case: dict[str, str] = {}
    for label, value in rows:
        if label in CASE_FIELDS:
            case[CASE_FIELDS[label]] = value
    strangers = [label for label, _ in unknown if label not in CASE_FIELDS]
    if strangers:
        fields = "、".join(field_names(form, form))
        raise world.fail(
            f"表格中的「{'、'.join(strangers)}」既不是案件字段也不是受理表单「{county.intake_form}」的字段（表单字段：{fields}；案件字段：事项类型、等级、地点、来访次数、渠道、受理中心、案件别名）",
            f"table rows {strangers} are neither case fields nor fields of the intake form {county.intake_form!r} (form fields: {fields})",
        )
    channel = case.get("channel", channel)
    for key, value in (("channel", channel), ("category", case.get("category")),
                       ("severity", case.get("severity"))):  # fmt: skip
        if value and key in form.get("properties", {}) and key not in data:
            data[key] = value
    known = county.channels.get(channel)
    visits = int(case.get("visits", 1 if window or (known and known.in_person) else 0))
    try:
        view = engine.receive(
            f"{center or ''}{window or channel}",
            county.key,
            channel=channel,
            window=window,
            category=case.get("category", ""),
            severity=case.get("severity", ""),
            location=case.get("location", center or ""),
            parties=_parties(data),
            data=data,
            visits=visits,
            center=case.get("center", center),
        )
    except EngineError as error:
        world.refusal, world.refused_step = error, world.say("登记案件", "registering the case")
        return
    world.current = view.code
    world.cases[case.get("alias", view.code)] = view.code
    world.cases.setdefault(view.code, view.code)


@phrase(
    "受理",
    '在 "{中心=center}" 的 "{窗口=window}" 登记案件：',
    'a case is registered at window "{window}" of "{center}":',
    doc="在某中心的窗口当面登记一件案件（首问负责：该中心为受理中心；默认渠道为第一个现场渠道，来访 1 次）。",
    example_zh='当 在 "孝南区中心" 的 "综合窗口" 登记案件：',
    example_en='When a case is registered at window "综合窗口" of "孝南区中心":',
    table=TABLE_DOC,
)
def register_at_window(world: World, center: str, window: str, datatable: list[list[str]]) -> None:
    county = world.need_county()
    if window not in county.windows:
        raise world.fail(
            f"没有窗口「{window}」（可选：{'、'.join(county.windows)}）",
            f"no window {window!r} (known: {', '.join(county.windows)})",
        )
    channel = next((c.key for c in county.channels.values() if c.in_person), "")
    register(world, datatable, channel=channel, window=window, center=center)


@phrase(
    "受理",
    '通过 "{渠道}" 渠道登记案件：',
    'a case comes in through channel "{channel}":',
    doc="通过某渠道（12345、网格、线上……）登记一件案件；非现场渠道来访 0 次。",
    example_zh='当 通过 "12345" 渠道登记案件：',
    example_en='When a case comes in through channel "12345":',
    table=TABLE_DOC,
)
def register_through_channel(world: World, channel: str, datatable: list[list[str]]) -> None:
    county = world.need_county()
    if channel not in county.channels:
        raise world.fail(
            f"没有渠道「{channel}」（可选：{'、'.join(county.channels)}）",
            f"no channel {channel!r} (known: {', '.join(county.channels)})",
        )
    register(world, datatable, channel=channel, window=None, center=None)
