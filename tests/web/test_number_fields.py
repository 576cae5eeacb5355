"""Numbers typed on the web and sent to the API follow one rule (docs/workbench.md, Security;
forms/integers.py): ASCII 0-9 and the full-width ０-９ of a Chinese input method are digits,
「²」, 「٣」 and other Unicode digits are refused in Chinese, and every number field has an
upper bound (涉及金额 and 涉及人数 their own, others forms.integers.NUMBER_LIMIT): a huge
number is a field error (422), never stored. Both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import forms
from admin import citizen
from admin.accounts import create_api_key
from admin.ratelimit import RateLimiter
from engine.tables import CASE
from forms.integers import NUMBER_LIMIT, parse_int
from tests.web.conftest import csrf_of
from tests.web.counties import intake_data
from tests.web.flow import INTAKE_FIELDS, as_form, cast

AMOUNT_MAX = 10_000_000_000  # definitions/*/forms/受理登记.json
PEOPLE_MAX = 100_000


@pytest.fixture(autouse=True)
def published(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citizen, "INTAKES_PER_IP", RateLimiter(1000, 3600))
    cast(db)


def cases(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        found = conn.execute(select(CASE.c.data).order_by(CASE.c.id)).scalars().all()
    return [d if isinstance(d, dict) else json.loads(d) for d in found]


def online(client: TestClient, **fields: str) -> Any:
    token = csrf_of(client, "/online/xiaogan")
    return client.post(
        "/online/xiaogan", data={**as_form(INTAKE_FIELDS), "csrf_token": token, **fields}
    )


# xiaogan's public intake (网上受理) asks the amount, not the number of people involved: the
# web tests use the amount; the API tests below cover both.
def test_full_width_digits_are_read_as_digits_on_the_web(client: TestClient, db: Engine) -> None:
    answer = online(client, amount="１２０００．５")
    assert answer.status_code == 201, answer.text[:500]
    assert cases(db)[-1]["amount"] == 12000.5


@pytest.mark.parametrize("odd", ["²", "٣", "𝟙", "①"])
def test_other_digits_are_refused_in_chinese_and_nothing_is_stored(
    client: TestClient, db: Engine, odd: str
) -> None:
    answer = online(client, amount=f"1{odd}")
    assert answer.status_code == 422, answer.text[:500]
    assert f"「涉及金额（元）」请用数字 0-9 填写（「{odd}」不是可用的数字）" in answer.text
    assert cases(db) == []


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("amount", str(AMOUNT_MAX + 1), f"「涉及金额（元）」不能大于 {AMOUNT_MAX}"),
        ("amount", "9" * 39, f"「涉及金额（元）」不能大于 {AMOUNT_MAX}"),
        ("amount", "９" * 30, f"「涉及金额（元）」不能大于 {AMOUNT_MAX}"),
    ],
)
def test_huge_numbers_on_the_web_are_a_field_error(
    client: TestClient, db: Engine, field: str, typed: str, message: str
) -> None:
    answer = online(client, **{field: typed})
    assert answer.status_code == 422, answer.text[:500]
    assert message in answer.text
    assert cases(db) == []


def test_the_api_takes_numbers_within_bounds_only(client: TestClient, db: Engine) -> None:
    auth = {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}
    for extra, path, words in (
        ({"amount": AMOUNT_MAX * 10}, "data/amount", f"不能大于 {AMOUNT_MAX}"),
        ({"amount": 1e300}, "data/amount", f"不能大于 {AMOUNT_MAX}"),
        ({"people_involved": 10**20}, "data/people_involved", f"不能大于 {PEOPLE_MAX}"),
        ({"people_involved": "３"}, "data/people_involved", "必须填写整数"),
        ({"amount": "²"}, "data/amount", "请用数字 0-9 填写"),
    ):
        answer = client.post(
            "/api/v1/cases", json={"data": {**intake_data(), **extra}}, headers=auth
        )
        assert answer.status_code == 422, answer.text
        errors = answer.json()["errors"]
        assert [e["path"] for e in errors] == [path], errors
        assert words in errors[0]["message"], errors
    assert cases(db) == []
    ok = {**intake_data(), "amount": AMOUNT_MAX, "people_involved": PEOPLE_MAX}
    assert client.post("/api/v1/cases", json={"data": ok}, headers=auth).status_code == 201
    # the document states the bounds the API checks
    schema = client.get("/openapi.json", headers=auth).json()["components"]["schemas"]
    text = json.dumps(schema["IntakeData"])
    assert f'"maximum": {AMOUNT_MAX}' in text and f'"maximum": {PEOPLE_MAX}' in text


def test_a_number_field_without_a_maximum_gets_the_common_ceiling() -> None:
    form = forms.load_form(
        {"type": "object", "properties": {"n": {"type": "number", "title": "数量"}}},
        name="ceiling-test",
    )
    assert form.validate({"n": NUMBER_LIMIT}) == []
    assert [e.message for e in form.validate({"n": NUMBER_LIMIT + 1})] == [
        f"「数量」不能大于 {NUMBER_LIMIT}"
    ]
    assert [e.message for e in form.validate({"n": -1e300})] == [
        f"「数量」不能小于 -{NUMBER_LIMIT}"
    ]


def test_the_integer_parser_follows_the_same_rule() -> None:
    assert parse_int("３６５", 1, 365) == 365 and parse_int("１２", 1, 365) == 12
    assert parse_int("²", 1, 365) is None and parse_int("٣", 1, 365) is None
    assert parse_int("－３", 1, 365) is None  # a sign is not a digit
