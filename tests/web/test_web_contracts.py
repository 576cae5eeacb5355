"""HTTP contracts (issue 16, point 10): the window intake answers a refused registration with
422, a 405 names the allowed methods, and /openapi.json lists the caller's county's allowed
values from the same schema the API validates with."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin.accounts import create_api_key
from admin.api_schema import TEXT_PATTERN
from tests.web.counties import intake_data
from tests.web.uploads import publish_with_evidence, sign_in, window_intake


@pytest.fixture
def clerk(db: Engine) -> Any:
    return publish_with_evidence(db, "xiaogan")["xiaogan"]


@pytest.fixture
def auth(db: Engine, clerk: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}


def test_a_refused_window_intake_is_a_422(client: TestClient, clerk: Any) -> None:
    sign_in(client, clerk)
    too_short = window_intake(client, clerk, summary="太短")
    assert too_short.status_code == 422
    assert "纠纷概要" in too_short.text
    no_channel = window_intake(client, clerk, channel="飞鸽传书")
    assert no_channel.status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/cases", {"POST"}),
        ("DELETE", "/api/v1/cases/XG-2026-000001", {"GET", "HEAD"}),
    ],
)
def test_a_405_names_the_allowed_methods(
    client: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed


def test_openapi_lists_the_callers_countys_allowed_values(
    client: TestClient, auth: dict[str, str]
) -> None:
    from tests.web.uploads import _compile

    model = _compile("xiaogan")
    doc = client.get("/openapi.json", headers=auth).json()
    schemas = doc["components"]["schemas"]
    facts = schemas["CaseIn"]["properties"]
    assert facts["channel"]["enum"] == list(model.channels)
    assert facts["category"]["enum"] == list(model.categories)
    assert facts["severity"]["enum"] == list(model.severities)
    assert facts["location"]["enum"] == list(model.centers)
    assert facts["data"]["$ref"] == "#/components/schemas/IntakeData"
    intake = schemas["IntakeData"]
    assert intake["properties"]["category"]["enum"] == list(model.categories)
    assert intake["properties"]["parties"]["items"] == {
        "$ref": "#/components/schemas/IntakeData/$defs/party"
    }
    assert "evidence" not in intake["properties"]  # the API takes no files
    # The engine refuses a blank party name: the document says so (a schema-valid body is
    # accepted, ST202).
    assert intake["$defs"]["party"]["properties"]["name"]["pattern"] == r"\S"
    assert intake["properties"]["summary"]["pattern"] == TEXT_PATTERN  # no control characters
    assert intake["propertyNames"] == {"pattern": TEXT_PATTERN}
    # Without a key: the generic document, no county's values.
    generic = client.get("/openapi.json").json()["components"]["schemas"]
    assert "enum" not in generic["CaseIn"]["properties"]["category"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"category": "外星人纠纷", "data": intake_data()}, "category"),
        ({"data": intake_data(summary="邻居装修\x00噪音扰民，多次协商未果。")}, "data/summary"),
        ({"data": {**intake_data(), "备\x07注": "x"}}, "data"),
        ({"data": {**intake_data(), "附言": {"行": ["好", "坏\x00"]}}}, "data/附言"),
        ({"data": intake_data(parties=[{"name": " \t", "role": "申请人"}])}, "data/parties/0/name"),
    ],
)
def test_the_api_refuses_what_the_document_excludes_by_its_path(
    client: TestClient, auth: dict[str, str], body: dict[str, Any], path: str
) -> None:
    """Values outside the lists, control characters (NUL: a 500 on PostgreSQL before), a
    blank party name: each refused by the documented schema, with its path."""
    answer = client.post("/api/v1/cases", json=body, headers=auth)
    assert answer.status_code == 422, answer.text
    paths = {e["path"] for e in answer.json()["errors"]}  # the path, or a path inside it
    assert any(p == path or p.startswith(path + "/") for p in paths), answer.text


def test_the_api_refuses_a_value_outside_the_documented_list_by_its_path(
    client: TestClient, auth: dict[str, str]
) -> None:
    answer = client.post(
        "/api/v1/cases", json={"category": "外星人纠纷", "data": intake_data()}, headers=auth
    )
    assert answer.status_code == 422
    errors = {e["path"]: e["message"] for e in answer.json()["errors"]}
    assert "请从选项中选择" in errors["category"]
