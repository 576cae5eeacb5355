"""The intake form's convention: the fields the web window and the online intake read to route
a case (admin/intake.py `facts`), checked so a county that passes `yidi check` can take a case.

- 事项类型: a top-level field `category` (or `事项类型`), 等级: `severity` (or `等级`, `严重程度`);
- 发生地: a top-level field `location` (or `发生地`, `地点`), either an object with `town`
  (a center's name) and optionally `village` (a village center's name, `town/village` or the
  village's own name; the most precise one that is a center wins), or a string naming a center.
  Where the form lists the choices (`enum`), each must be a center of the county.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token

from dsl.context import Context

CATEGORY_KEYS = ("category", "事项类型")
SEVERITY_KEYS = ("severity", "等级", "严重程度")
LOCATION_KEYS = ("location", "发生地", "地点")


def check_intake_form(
    ctx: Context,
    form: str,
    path: str,
    text: str,
    schema: Mapping[str, Any],
    centers: Mapping[str, Any],
) -> None:
    """Report at the intake form's file: at the field concerned, or its first line."""
    ctx.path = path

    def at(key: str = "") -> Token:
        found = text.find(f'"{key}"') if key else -1
        if found < 0:
            return Token("NAME", form, line=1, column=1)
        line = text.count("\n", 0, found) + 1
        column = found - (text.rfind("\n", 0, found) + 1) + 1
        return Token("NAME", key, line=line, column=column)

    _check(ctx, at, form, schema, centers)


def _check(
    ctx: Context, at: Any, form: str, schema: Mapping[str, Any], centers: Mapping[str, Any]
) -> None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    where = f"受理表单「{form}」（forms/{form}.json）"
    where_en = f"intake form '{form}' (forms/{form}.json)"
    for keys, zh, en in (
        (CATEGORY_KEYS, "事项类型", "category"),
        (SEVERITY_KEYS, "等级", "severity"),
        (LOCATION_KEYS, "发生地", "location"),
    ):
        key = next((k for k in keys if k in properties), None)
        names = "、".join(f"「{k}」" for k in keys)
        if key is None:
            ctx.report(
                at(),
                f"{where}缺少{zh}字段（{names}之一）：窗口登记和网上受理靠它分派案件",
                f"{where_en} has no {en} field (one of {', '.join(keys)}): the window and the "
                "online intake route cases by it",
                _LOCATION_HINT if en == "location" else ("", ""),
            )
            continue
        if en == "location":
            _location(ctx, at(key), where, where_en, key, properties[key], centers)


_LOCATION_HINT = (
    '发生地写成对象：{"type": "object", "properties": {"town": {…乡镇（中心名）}, '
    '"village": {…村（社区）}}, "required": ["town"]}',
    'write the location as an object with "town" (a center name) and "village"',
)


def _location(
    ctx: Context,
    at: Token | None,
    where: str,
    where_en: str,
    key: str,
    spec: Any,
    centers: Mapping[str, Any],
) -> None:
    spec = spec if isinstance(spec, dict) else {}
    kind = spec.get("type")
    if kind == "string":
        _centers_only(ctx, at, where, where_en, key, spec, centers)
        return
    inner = spec.get("properties") if isinstance(spec.get("properties"), dict) else {}
    if kind != "object" or "town" not in inner:
        ctx.report(
            at,
            f"{where}的「{key}」须为对象，含「town」（乡镇，即中心名称）和可选的「village」"
            "（村、社区），或为中心名称的文字",
            f"{where_en}: '{key}' must be an object with 'town' (a center name) and optionally "
            "'village', or a string naming a center",
            _LOCATION_HINT,
        )
        return
    _centers_only(ctx, at, where, where_en, f"{key}.town", inner["town"], centers)


def _centers_only(
    ctx: Context,
    at: Token | None,
    where: str,
    where_en: str,
    key: str,
    spec: Any,
    centers: Mapping[str, Any],
) -> None:
    choices = spec.get("enum") if isinstance(spec, dict) else None
    for value in choices if isinstance(choices, list) else []:
        if str(value) not in centers:
            ctx.report(
                at,
                f"{where}的「{key}」可选值「{value}」不是本县区的中心，选它的案件无法分派",
                f"{where_en}: choice '{value}' of '{key}' is not a center of the county",
            )
