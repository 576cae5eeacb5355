"""The API's request schema (validated by forms, so errors come in Chinese with field paths)
and the OpenAPI 3.1 document served at /openapi.json.

Both come from one place: `case_in(model)` is the request schema of a county, its allowed
values (channels, categories, severities, centers) read from the county's published
definition, and it is what the API validates a push with and what /openapi.json shows to a
caller with that county's key. `data` is the county's intake form, the same schema the engine
validates it with (attachment fields left out: the API takes no files)."""

from __future__ import annotations

import copy
import json
from typing import Any

from forms.schema import bound_numbers

NAME_PATTERN = r"\S"  # Python's \s is str.isspace(), what the engine's strip() removes
PARTY_FIELDS = ("parties", "当事人")  # admin.intake.FACTS["parties"]: where parties are read
NAME_FIELDS = ("name", "姓名")  # admin.intake.PARTY_KEYS["name"]

PARTY: dict[str, Any] = {
    "type": "object",
    "title": "当事人",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        # \S: the engine refuses a party whose name is only spaces (engine/intake.py).
        "name": {
            "type": "string",
            "title": "姓名",
            "minLength": 1,
            "maxLength": 100,
            "pattern": NAME_PATTERN,
        },
        "phone": {"type": "string", "title": "手机号码", "format": "cn-mobile"},
        "id_number": {"type": "string", "title": "身份证号", "format": "cn-id-number"},
        "role": {"type": "string", "title": "身份", "maxLength": 40},
    },
}

CASE_IN: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "推送案件",
    "type": "object",
    "description": (
        "data 为本县区受理表单的内容；渠道、类型、等级、发生地、当事人可在顶层给出，"
        "未给时从 data 中读取"
    ),
    "required": ["data"],
    "additionalProperties": False,
    "properties": {
        "channel": {"type": "string", "title": "来源渠道", "minLength": 1, "maxLength": 40},
        "category": {"type": "string", "title": "事项类型", "minLength": 1, "maxLength": 100},
        "severity": {"type": "string", "title": "等级", "minLength": 1, "maxLength": 40},
        "location": {"type": "string", "title": "发生地", "minLength": 1, "maxLength": 100},
        "center": {"type": "string", "title": "受理中心", "maxLength": 100},
        "parties": {"type": "array", "title": "当事人", "items": PARTY},
        "data": {"type": "object", "title": "受理表单内容"},
    },
}

ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {"type": "integer"},
        "message": {"type": "string", "description": "中文说明"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "字段路径，如 parties/0/phone"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

CASE_OUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        name: {"type": ["string", "null"]}
        for name in (
            "code",
            "status",
            "step",
            "level",
            "center",
            "office",
            "category",
            "severity",
            "channel",
            "received_at",
            "due_at",
            "closed_at",
            "outcome",
            "satisfaction",
            "url",
        )
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


VALUE_REF = "#/$defs/text_value"  # where the validating schema keeps TextValue


def text_value(ref: str) -> dict[str, Any]:
    """Any JSON value whose texts and property names hold no control character: what an
    object of the form takes beyond its declared fields (recursive through `ref`). Its
    numbers have the forms' common bounds (forms validate with them), stated here."""
    return bound_numbers(
        {
            "title": "任意值（文字中不含控制字符）",
            "anyOf": [
                {"type": ["null", "boolean", "number"]},
                {"type": "string", "pattern": TEXT_PATTERN},
                {"type": "array", "items": {"$ref": ref}},
                {
                    "type": "object",
                    "propertyNames": {"pattern": TEXT_PATTERN},
                    "additionalProperties": {"$ref": ref},
                },
            ],
        }
    )


def case_in(
    model: Any = None, data_at: str = "#/properties/data/", value_ref: str = VALUE_REF
) -> dict[str, Any]:
    """The request schema the API validates a push with; with a county's model, its allowed
    values as enums and `data` as its intake form (references based at `data_at`). Values
    beyond an object's declared fields refer to `value_ref` (TextValue)."""
    schema = copy.deepcopy(CASE_IN)
    if model is not None:
        facts = schema["properties"]
        facts["channel"]["enum"] = list(model.channels)
        facts["category"]["enum"] = list(model.categories)
        facts["severity"]["enum"] = list(model.severities)
        facts["location"]["enum"] = list(model.centers)
        facts["center"]["enum"] = list(model.centers)
        for name in ("channel", "category", "severity", "location", "center"):
            facts[name].pop("minLength", None)
            facts[name].pop("maxLength", None)
        facts["data"] = {**intake_data(model, data_at), "title": "受理表单内容"}
    _text_rule(schema, value_ref)
    if value_ref == VALUE_REF:
        schema["$defs"] = {"text_value": text_value(value_ref)}
    return schema


def intake_data(model: Any, base: str = "#/components/schemas/IntakeData/") -> dict[str, Any]:
    """The county's intake form, as the API takes it: its own references based at `base`
    (where it sits in the enclosing document), attachment fields left out, a blank party
    name refused as the engine refuses it."""
    ref = model.forms.get(model.intake_form)
    if ref is None:
        return {"type": "object"}
    text = json.dumps(dict(ref.schema), ensure_ascii=False)
    # Numbers without bounds of their own get the forms' ceiling, so the document states it.
    schema: dict[str, Any] = bound_numbers(json.loads(text.replace('"#/', f'"{base}')))
    schema.pop("$schema", None)
    _drop_attachments(schema)
    _party_names_not_blank(schema, base)
    return schema


# Text refused in a push: C0 controls but tab, LF and CR; DEL; C1 controls (a NUL would reach
# PostgreSQL). Stated on every free-text string and every property name, so that a body valid
# by the document is never refused for it. (Lone surrogates, which JSON can carry, are left to
# the request layer: Schemathesis 4.32 cannot generate from a class that names them.)
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"


def _text_rule(node: Any, value_ref: str) -> None:
    if isinstance(node, list):
        for item in node:
            _text_rule(item, value_ref)
        return
    if not isinstance(node, dict):
        return
    kinds = node.get("type")
    free_text = kinds == "string" and not {"enum", "const", "format", "$ref"} & node.keys()
    if free_text and "pattern" not in node:
        node["pattern"] = TEXT_PATTERN
    elif free_text:
        node["allOf"] = [*node.get("allOf", []), {"pattern": TEXT_PATTERN}]
    if kinds == "object" and node.get("additionalProperties") is not False:
        node.setdefault("propertyNames", {"pattern": TEXT_PATTERN})
        if node.get("additionalProperties") in (None, True):
            node["additionalProperties"] = {"$ref": value_ref}
    for key, value in node.items():
        if key not in ("enum", "const", "default", "examples"):
            _text_rule(value, value_ref)


def _party_names_not_blank(schema: dict[str, Any], here: str) -> None:
    """The engine refuses a party whose name is blank: say so where the form's parties are."""
    for field in PARTY_FIELDS:
        rows = schema.get("properties", {}).get(field)
        items = rows.get("items") if isinstance(rows, dict) else None
        if isinstance(items, dict) and str(items.get("$ref", "")).startswith(here):
            node: Any = schema
            for part in items["$ref"][len(here) :].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            items = node
        for name in NAME_FIELDS:
            found = items.get("properties", {}).get(name) if isinstance(items, dict) else None
            if isinstance(found, dict) and found.get("type") == "string":
                found.setdefault("pattern", NAME_PATTERN)


def _drop_attachments(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _drop_attachments(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        files = [
            name
            for name, sub in properties.items()
            if isinstance(sub, dict) and "x-attachment" in sub
        ]
        for name in files:
            del properties[name]
        if files and isinstance(node.get("required"), list):
            node["required"] = [n for n in node["required"] if n not in files]
    for value in node.values():
        _drop_attachments(value)


CHANGES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["changes", "next"],
    "properties": {
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "occurred_at", "case"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {
                        "type": "string",
                        "enum": ["case.status", "case.closed", "case.evaluated"],
                    },
                    "occurred_at": {"type": "string"},
                    "case": {"type": "object"},
                },
            },
        },
        "next": {"type": "integer", "minimum": 0},
    },
}


def openapi(model: Any = None) -> dict[str, Any]:
    """The document; with a county's model (the caller's key), its allowed values."""
    here = "#/components/schemas/IntakeData/"
    value_ref = "#/components/schemas/TextValue"
    request = case_in(model, data_at=here, value_ref=value_ref)
    schemas: dict[str, Any] = {
        "CaseIn": request,
        "Case": CASE_OUT,
        "Error": ERROR,
        "TextValue": text_value(value_ref),
    }
    # the court link (诉调对接, admin/court_api.py)
    from admin import court_api  # in here: court_api imports this module

    schemas["CourtIn"], schemas["CourtOut"] = court_api.COURT_IN, court_api.COURT_OUT
    if model is not None:
        # The same schema the API validates with; `data` as its own component.
        schemas["IntakeData"] = request["properties"]["data"]
        request["properties"]["data"] = {"$ref": here.rstrip("/"), "title": "受理表单内容"}
    else:
        request["description"] += "。带上 API 密钥请求本文档，可得到本县区的取值列表和受理表单"
    case_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}}
    idem = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            "重试安全：同一密钥+相同请求体返回首次结果，不会重复建案；请求体不同返回 422"
        ),
        "schema": {"type": "string", "maxLength": 200},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "一地 yidi 案件接口",
            "version": "1.0.0",
            "description": "供 12345 热线、网格平台、110 等系统推送案件和查询进度。",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/cases": {
                "post": {
                    "summary": "推送一个案件",
                    "parameters": [idem],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/CaseIn"}}
                        },
                    },
                    "responses": {
                        "201": {"description": "已受理", **case_ref},
                        "400": _error("请求体不是合法的 JSON"),
                        "401": _error("缺少或无效的 API 密钥"),
                        "403": _error("该密钥不是为推送案件签发的（如法院结果专用密钥）"),
                        "409": _error("同一 Idempotency-Key 的请求正在处理"),
                        "422": _error("内容校验失败（含字段路径），或 Idempotency-Key 与内容不符"),
                    },
                }
            },
            "/api/v1/cases/{code}": {
                "get": {
                    "summary": "查询案件状态",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": TEXT_PATTERN},
                        }
                    ],
                    "responses": {
                        "200": {"description": "案件状态", **case_ref},
                        # the request layer refuses control characters in any address
                        "400": _error("网址含有不允许的控制字符"),
                        "401": _error("缺少或无效的 API 密钥"),
                        "404": _error("无此案件或不属于本县区"),
                    },
                }
            },
            "/api/v1/cases/{code}/court": court_api.path_item(_error, TEXT_PATTERN),
            "/api/v1/changes": {
                "get": {
                    "summary": "轮询本密钥推送的案件的变化（与回告推送内容相同，按 id 顺序）",
                    "parameters": [
                        {
                            "name": "after",
                            "in": "query",
                            "required": False,
                            "description": "上次返回的 next；首次省略或为 0",
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "变化列表（最多 100 条）与下一次的游标",
                            "content": {"application/json": {"schema": CHANGES_SCHEMA}},
                        },
                        "400": _error("网址含有不允许的控制字符"),
                        "401": _error("缺少或无效的 API 密钥"),
                        "422": _error("after 应为非负整数"),
                    },
                }
            },
        },
    }
