"""Forms benchmark: `python -m bench.forms`.

A 30-field intake form with nested arrays: validations per second through yidi's
Form.validate (Chinese messages, field mapping) next to the raw validators on the same schema
and data in the same run (jsonschema alone with the same format checker, and fastjsonschema
as a practical ceiling), plus render, display and parse times. Medians of several rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

import forms
from forms.check import field_kinds
from forms.formats import CHECKS, FORMAT_CHECKER, FormatProblem

ROUNDS = 7


def party() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["name", "id_number", "phone"],
        "properties": {
            "name": {"type": "string", "title": "姓名", "minLength": 2},
            "role": {"type": "string", "title": "身份", "enum": ["申请人", "被申请人", "第三人"]},
            "id_number": {"type": "string", "title": "身份证号", "format": "cn-id-number"},
            "phone": {"type": "string", "title": "电话", "format": "cn-mobile"},
            "evidence": {
                "type": "array",
                "title": "证据",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string", "title": "名称"},
                        "pages": {"type": "integer", "title": "页数", "minimum": 1},
                    },
                },
            },
        },
    }


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "受理登记（30项）",
    "type": "object",
    "required": ["channel", "category", "summary", "parties"],
    "properties": {
        **{
            f"note_{i}": {"type": "string", "title": f"备注{i}", "maxLength": 200} for i in range(6)
        },
        "channel": {
            "title": "渠道",
            "oneOf": [{"const": "walk_in", "title": "窗口"}, {"const": "hotline", "title": "热线"}],
        },
        "category": {"type": "string", "title": "类型", "enum": ["邻里纠纷", "劳动争议"]},
        "summary": {"type": "string", "title": "概要", "minLength": 10},
        "received_at": {"type": "string", "title": "受理时间", "format": "date-time"},
        "visit_date": {"type": "string", "title": "日期", "format": "date"},
        "amount": {"type": "number", "title": "金额", "minimum": 0, "multipleOf": 0.01},
        "people": {"type": "integer", "title": "人数", "minimum": 1},
        "urgent": {"type": "boolean", "title": "紧急"},
        "town_code": {"type": "string", "title": "区划", "format": "cn-division-code"},
        "email": {"type": "string", "title": "邮箱", "format": "email"},
        "tags": {"type": "array", "title": "标签", "items": {"type": "string"}, "maxItems": 5},
        "address": {
            "type": "object",
            "title": "地址",
            "properties": {
                "town": {"type": "string", "title": "乡镇"},
                "village": {"type": "string", "title": "村"},
            },
        },
        "parties": {"type": "array", "title": "当事人", "minItems": 1, "items": party()},
        "legal_aid": {"type": "boolean", "title": "法律援助"},
    },
    "if": {"properties": {"legal_aid": {"const": True}}, "required": ["legal_aid"]},
    "then": {
        "properties": {"aid_reason": {"type": "string", "title": "理由"}},
        "required": ["aid_reason"],
    },
}

PERSON = {
    "name": "张三",
    "role": "申请人",
    "id_number": "11010519491231002X",
    "phone": "13812341234",
    "evidence": [{"label": "照片", "pages": 3}, {"label": "收据", "pages": 1}],
}
DATA: dict[str, Any] = {
    **{f"note_{i}": f"备注内容{i}" for i in range(6)},
    "channel": "walk_in",
    "category": "邻里纠纷",
    "summary": "邻居装修导致楼下漏水，要求赔偿",
    "received_at": "2024-03-01T09:30:00+08:00",
    "visit_date": "2024-03-01",
    "amount": 1200.5,
    "people": 2,
    "urgent": False,
    "town_code": "330102",
    "email": "a@example.cn",
    "tags": ["漏水", "装修"],
    "address": {"town": "城关镇", "village": "东村"},
    "parties": [PERSON, {**PERSON, "name": "李四", "role": "被申请人"}, {**PERSON, "name": "王五"}],
    "legal_aid": True,
    "aid_reason": "经济困难",
}
INVALID = {
    **DATA,
    "parties": [{**PERSON, "id_number": "110105194912310021", "phone": "123"}],
    "summary": "短",
    "amount": -1,
}


# A realistic 20-field intake form (the issue's measure): valid data, and data with six errors.
TWENTY: dict[str, Any] = {
    "type": "object",
    "title": "受理登记（20项）",
    "required": ["name", "id_number", "phone", "category", "summary", "received_at"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "pattern": "^\\p{Han}{2,4}$"},
        "id_number": {"type": "string", "title": "身份证号", "format": "cn-id-number"},
        "phone": {"type": "string", "title": "电话", "format": "cn-mobile"},
        "email": {"type": "string", "title": "邮箱", "format": "email"},
        "category": {
            "type": "string",
            "title": "类型",
            "enum": ["邻里纠纷", "劳动争议", "婚姻家庭"],
        },
        "channel": {
            "title": "渠道",
            "oneOf": [{"const": "walk_in", "title": "窗口"}, {"const": "hotline", "title": "热线"}],
        },
        "summary": {"type": "string", "title": "概要", "minLength": 10, "maxLength": 2000},
        "received_at": {"type": "string", "title": "受理时间", "format": "date-time"},
        "visit_date": {"type": "string", "title": "走访日期", "format": "date"},
        "amount": {"type": "number", "title": "金额", "minimum": 0, "multipleOf": 0.01},
        "people": {"type": "integer", "title": "人数", "minimum": 1, "maximum": 500},
        "urgent": {"type": "boolean", "title": "紧急"},
        "town_code": {"type": "string", "title": "区划", "format": "cn-division-code"},
        "website": {"type": "string", "title": "网址", "format": "uri"},
        "tags": {"type": "array", "title": "标签", "items": {"type": "string"}, "maxItems": 5},
        "address": {"type": "string", "title": "地址", "maxLength": 200},
        "village": {"type": "string", "title": "村（社区）"},
        "legal_aid": {"type": "boolean", "title": "法律援助"},
        "aid_reason": {"type": "string", "title": "援助理由"},
        "remark": {"type": "string", "title": "备注", "maxLength": 500},
    },
    "dependentRequired": {"legal_aid": ["aid_reason"]},
}
TWENTY_VALID: dict[str, Any] = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13812341234",
    "email": "zhang@example.cn",
    "category": "邻里纠纷",
    "channel": "walk_in",
    "summary": "邻居装修导致楼下漏水，要求赔偿",
    "received_at": "2024-03-01T09:30:00+08:00",
    "visit_date": "2024-03-02",
    "amount": 1200.5,
    "people": 2,
    "urgent": False,
    "town_code": "330102",
    "website": "https://www.example.cn/",
    "tags": ["漏水", "装修"],
    "address": "城关镇东村3号",
    "village": "东村",
    "legal_aid": True,
    "aid_reason": "经济困难",
    "remark": "无",
}
TWENTY_SIX_ERRORS: dict[str, Any] = {
    **TWENTY_VALID,
    "name": "Zhang",
    "id_number": "110105194912310021",
    "phone": "12812345678",
    "summary": "短",
    "amount": -1,
    "category": "其他",
}


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """The form post a browser would send for data."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in flatten(v, f"{prefix}/{k}" if prefix else k)]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in flatten(v, f"{prefix}/{i}")]
    if isinstance(data, bool):
        return [(prefix, "true")] if data else []
    return [(prefix, str(data))]


def compare(contenders: list[tuple[Callable[[], object], int]]) -> list[float]:
    """Median calls per second of each contender; rounds interleave the contenders so that
    load from other processes on the machine hits them alike."""
    rates: list[list[float]] = [[] for _ in contenders]
    for _ in range(ROUNDS):
        for index, (call, batch) in enumerate(contenders):
            start = time.perf_counter()
            for _ in range(batch):
                call()
            rates[index].append(batch / (time.perf_counter() - start))
    return [statistics.median(r) for r in rates]


def per_second(call: Callable[[], object], batch: int) -> float:
    return compare([(call, batch)])[0]


def millis(call: Callable[[], object], batch: int) -> float:
    return 1000 / per_second(call, batch)


def fast_formats() -> dict[str, Callable[[str], bool]]:
    def accept(check: Callable[[str], None]) -> Callable[[str], bool]:
        def ok(value: str) -> bool:
            try:
                check(value)
            except FormatProblem:
                return False
            return True

        return ok

    return {name: accept(check) for name, check in CHECKS.items()}


def main() -> None:
    form = forms.load_form(SCHEMA, name="bench")
    assert form.validate(DATA) == [], form.validate(DATA)
    raw = Draft202012Validator(form.compiled, format_checker=FORMAT_CHECKER)
    fast = fastjsonschema.compile(form.compiled, formats=fast_formats())
    fast(DATA)
    posted = flatten(DATA)

    class Post(list[tuple[str, str]]):
        def multi_items(self) -> list[tuple[str, str]]:
            return list(self)

    post = Post(posted)
    assert form.parse_submission(post) == DATA
    fields = len(field_kinds(form.doc))
    print(
        f"yidi forms benchmark: {fields}-field form, data with 3 parties each with 2 nested "
        f"evidence rows; median of {ROUNDS} interleaved rounds"
    )
    ours, jsonschema_rate, fast_rate = compare(
        [
            (lambda: form.validate(DATA), 200),
            (lambda: list(raw.iter_errors(DATA)), 200),
            (lambda: fast(DATA), 2000),
        ]
    )
    print("\nvalid data, validations per second")
    print(f"  yidi Form.validate         {ours:10.0f}/s")
    print(
        f"  jsonschema iter_errors     {jsonschema_rate:10.0f}/s   yidi/jsonschema = "
        f"{ours / jsonschema_rate:.2f}"
    )
    print(
        f"  fastjsonschema (ceiling)   {fast_rate:10.0f}/s   yidi/fastjsonschema = "
        f"{ours / fast_rate:.3f}"
    )

    ours_bad, raw_bad = compare(
        [(lambda: form.validate(INVALID), 100), (lambda: list(raw.iter_errors(INVALID)), 100)]
    )
    print("\ninvalid data (4 errors), validations per second, with Chinese messages")
    print(f"  yidi Form.validate         {ours_bad:10.0f}/s")
    print(
        f"  jsonschema iter_errors     {raw_bad:10.0f}/s   yidi/jsonschema = "
        f"{ours_bad / raw_bad:.2f}"
    )

    twenty(ours, jsonschema_rate)
    print("\nrender / display / parse, milliseconds per call")
    print(f"  render empty form          {millis(form.render, 30):8.2f} ms")
    print(f"  render with data           {millis(lambda: form.render(DATA), 30):8.2f} ms")
    errors = form.validate(INVALID)
    print(
        f"  render with errors         {millis(lambda: form.render(INVALID, errors), 30):8.2f} ms"
    )
    print(f"  display (masked)           {millis(lambda: form.display(DATA), 30):8.2f} ms")
    print(
        f"  parse_submission           {millis(lambda: form.parse_submission(post), 100):8.2f} ms"
    )


def twenty(*_: float) -> None:
    """The issue's yardstick: yidi within 1.5x of bare iter_errors with six errors (Chinese
    messages and field order included), within 1.1x on valid data."""
    form = forms.load_form(TWENTY, name="bench-20")
    assert form.validate(TWENTY_VALID) == []
    assert len(form.validate(TWENTY_SIX_ERRORS)) == 6, form.validate(TWENTY_SIX_ERRORS)
    raw = Draft202012Validator(form.doc.validator.schema, format_checker=FORMAT_CHECKER)
    print("\n20-field form, validations per second (same run, interleaved)")
    for label, data, bound in (("valid", TWENTY_VALID, 1.1), ("6 errors", TWENTY_SIX_ERRORS, 1.5)):
        ours, bare = compare(
            [(lambda d=data: form.validate(d), 300), (lambda d=data: list(raw.iter_errors(d)), 300)]
        )
        ratio = bare / ours
        verdict = "ok" if ratio <= bound else "OVER"
        print(
            f"  {label:9} yidi {ours:8.0f}/s   jsonschema iter_errors {bare:8.0f}/s   "
            f"time yidi/jsonschema = {ratio:.2f} (bound {bound}) {verdict}"
        )


if __name__ == "__main__":
    main()
