"""Forms in the console: rendered live from the (draft) schema, filled with sample data,
validated with the forms module's Chinese messages."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from starlette.testclient import TestClient

import forms
from admin.console.sample import sample
from tests.console.conftest import login
from tests.console.county import INTAKE, files

URL = "/console/forms/preview?name=受理登记"


def test_form_list_names_every_form(client: TestClient, qingshan: Engine) -> None:
    login(client, "qs_admin")
    html = client.get("/console/forms").text
    assert "受理登记" in html and "办理情况" in html


def test_sample_data_passes_validation() -> None:
    values = sample(INTAKE)
    assert values == {
        "事由": "纠纷事由",
        "联系电话": "13800138000",
        "事项类型": "邻里纠纷",
        "等级": "一般",
        "发生地": {"town": "城关镇"},
    }
    assert forms.load_form(INTAKE, name="受理登记").validate(values) == []


def test_preview_fills_sample_and_validates(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    filled = client.get(URL + "&sample=1").text
    assert 'value="13800138000"' in filled
    bad = client.post(URL, data={"事由": "吵", "联系电话": "12345", "csrf_token": token})
    assert bad.status_code == 200
    assert "校验未通过：2 处问题" in bad.text
    good = client.post(
        URL, data={"事由": "邻居噪音", "联系电话": "13800138000", "csrf_token": token}
    )
    assert "校验通过" in good.text and "邻居噪音" in good.text


def test_preview_follows_the_draft_schema(client: TestClient, qingshan: Engine) -> None:
    token = login(client, "qs_admin")
    path = "forms/受理登记.json"
    draft = files()[path].replace('"title": "纠纷事由"', '"title": "矛盾纠纷事由"')
    client.post("/console/files/save", data={"path": path, "text": draft, "csrf_token": token})
    assert "矛盾纠纷事由" in client.get(URL).text
    broken = draft.replace('"type": "object"', '"type": "object",,')
    client.post("/console/files/save", data={"path": path, "text": broken, "csrf_token": token})
    html = client.get(URL).text
    assert "JSON 格式错误（第" in html


def test_unknown_form_is_not_found(client: TestClient, qingshan: Engine) -> None:
    login(client, "qs_admin")
    assert client.get("/console/forms/preview?name=没有").status_code == 404


def test_preview_shows_anchor_refs_and_explains_broken_ones(
    client: TestClient, qingshan: Engine
) -> None:
    """An `$anchor` reference once reached the preview as a raw SchemaError (a 500)."""
    token = login(client, "qs_admin")
    path = "forms/受理登记.json"
    schema = json.loads(files()[path])
    schema["$defs"] = {"door": {"$anchor": "door", "type": "string", "title": "门牌号"}}
    schema["properties"]["门牌"] = {"$ref": "#door"}
    text = json.dumps(schema, ensure_ascii=False)
    client.post("/console/files/save", data={"path": path, "text": text, "csrf_token": token})
    shown = client.get(URL)
    assert shown.status_code == 200 and "门牌号" in shown.text
    schema["properties"]["门牌"] = {"$ref": "#/$defs/没有"}
    text = json.dumps(schema, ensure_ascii=False)
    client.post("/console/files/save", data={"path": path, "text": text, "csrf_token": token})
    broken = client.get(URL)
    assert broken.status_code == 200
    assert "表单定义有误" in broken.text and "$ref 指向的定义不存在" in broken.text
