"""网上受理: the public version of the intake form, declared in the county header.

    网上受理 {
      标题 "网上一键受理"
      说明 "在线提交您的诉求，无需跑腿"
      字段 summary "发生了什么" 提示 "写清起因、经过和您的诉求"
      字段 parties "您和对方"
      默认 severity 一般
    }

The public sees only the listed fields, under their public labels and help; every other field of
the intake form takes its default (`默认`, else the schema's `default`); the channel is always
the county's online channel and severity, when neither gives one, the mildest grade. Checked
here so that a county that passes `yidi check` can take every online case: each listed field is
a field of the intake form, every required field the public does not see has a default, and the
citizen gives a phone number (the parties), by which they look up their case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsl import syntax as s
from dsl.context import Context
from dsl.intake import SEVERITY_KEYS
from dsl.model import Channel, OnlineField, OnlineIntake

CHANNEL_KEYS = ("channel", "渠道", "受理渠道")
PARTY_KEYS = ("parties", "当事人")
VALUE_TYPES = {"string": str, "integer": int, "number": float}


ONLINE_WORDS = ("线上", "网上")


def online_channel(channels: Mapping[str, Channel]) -> str | None:
    """The county's online channel: the first one not in person whose key or name says 线上
    or 网上; None when it has none (then it takes no online cases: no other system's channel,
    such as 12345, stands in for it)."""
    for channel in channels.values():
        words = channel.key + channel.name
        if not channel.in_person and any(word in words for word in ONLINE_WORDS):
            return channel.key
    return None


def check_online_channel(ctx: Context, at: Any, channels: Mapping[str, Channel]) -> None:
    if online_channel(channels) is None:
        ctx.warn(
            at,
            '县区没有网上渠道（不是现场渠道、名称含“线上”或“网上”，如：渠道 … 线上 "网上受理"）：'
            "网上受理页面会告诉群众本县区暂不接受网上提交",
            "the county has no online channel (not in person, named 线上 or 网上): "
            "its online intake page takes no cases",
        )


def online_intake(
    ctx: Context,
    decl: s.OnlineSyntax,
    form: str,
    schema: Mapping[str, Any],
    severities: Mapping[str, Any],
    channels: Mapping[str, Channel],
) -> OnlineIntake | None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    where = f"受理表单「{form}」"
    fields: list[OnlineField] = []
    for item in decl.fields:
        key = str(item.name)
        if key not in properties:
            listed = "、".join(properties)
            ctx.report(
                item.name,
                f"网上受理的字段「{key}」不是{where}的字段（可写：{listed}）",
                f"online intake field '{key}' is not a field of intake form '{form}'",
            )
        elif key in CHANNEL_KEYS:
            ctx.report(
                item.name,
                f"网上受理不必列出「{key}」：网上提交的案件由系统记为网上受理渠道",
                f"online intake: '{key}' is set by the server to the online channel",
            )
        elif any(f.key == key for f in fields):
            ctx.report(item.name, f"网上受理的字段「{key}」重复", f"duplicate field '{key}'")
        else:
            fields.append(OnlineField(key, item.label, item.help))
    shown = {f.key for f in fields}
    defaults = _defaults(ctx, decl, properties, shown)
    if not any(k in shown for k in PARTY_KEYS) and any(k in properties for k in PARTY_KEYS):
        ctx.report(
            decl.at,
            "网上受理须列出当事人字段（parties）：群众凭登记的手机号码查询进度",
            "the online intake must show the parties field: citizens look up by phone",
        )
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    for key in required or []:
        spec = properties.get(key)
        if key in shown or key in defaults or key in CHANNEL_KEYS or key in PARTY_KEYS:
            continue
        if isinstance(spec, dict) and "default" in spec:
            continue
        if key in SEVERITY_KEYS and severities:
            continue  # the mildest grade
        ctx.report(
            decl.at,
            f"{where}的必填字段「{key}」没有列入网上受理，也没有默认值：群众无从填写，"
            "网上提交的案件都会被拒绝",
            f"required field '{key}' is neither shown online nor given a default",
            (f"写 `字段 {key}` 让群众填写，或写 `默认 {key} 值`", ""),
        )
    if not any(not c.in_person for c in channels.values()):
        ctx.report(
            decl.at,
            '网上受理需要一个非现场的渠道（如 `渠道 … 线上 "一键受理"`）记录网上提交的案件',
            "the online intake needs a channel that is not in person",
        )
    if not fields:
        ctx.report(decl.at, "网上受理至少要列出一个字段", "the online intake shows no field")
        return None
    return OnlineIntake(tuple(fields), decl.title, decl.lead, defaults)


def _defaults(
    ctx: Context, decl: s.OnlineSyntax, properties: Mapping[str, Any], shown: set[str]
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key_token, value_token in decl.defaults:
        key, value = str(key_token), str(value_token)
        spec = properties.get(key)
        if not isinstance(spec, dict):
            ctx.report(
                key_token,
                f"网上受理的默认值「{key}」不是受理表单的字段",
                f"default for '{key}', which is not a field of the intake form",
            )
            continue
        if key in shown:
            ctx.report(
                key_token,
                f"字段「{key}」已列入网上受理、由群众填写，默认值不起作用",
                f"field '{key}' is shown online: its default has no effect",
            )
            continue
        typed = _typed(value, spec)
        if typed is None:
            ctx.report(
                value_token,
                f"默认值「{value}」不适合字段「{key}」（只能为文字或数字字段设默认值）",
                f"default '{value}' does not fit field '{key}'",
            )
            continue
        choices = spec.get("enum")
        if isinstance(choices, list) and typed not in choices:
            listed = "、".join(str(c) for c in choices)
            ctx.report(
                value_token,
                f"默认值「{value}」不是字段「{key}」的可选值（{listed}）",
                f"default '{value}' is not a choice of field '{key}'",
            )
            continue
        found[key] = typed
    return found


def _typed(value: str, spec: Mapping[str, Any]) -> Any:
    kind = VALUE_TYPES.get(str(spec.get("type", "string")))
    if kind is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return None
