"""The htmx refresh endpoint: rows added and removed, conditions re-evaluated, forms named
only by content hash."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

import forms
from forms import routes as form_routes


def client() -> TestClient:
    return TestClient(Starlette(routes=[Mount("/forms", routes=form_routes.routes())]))


def base(intake: forms.Form) -> dict[str, str]:
    return {"parties/0/_row": "1", "parties/0/name": "张三", "parties/0/phone": "13812341234"}


def test_add_row_keeps_values_and_appends(intake: forms.Form) -> None:
    response = client().post(
        f"/forms/{intake.key}/refresh", data={**base(intake), "_op": "add:parties"}
    )
    assert response.status_code == 200
    html = response.text
    assert html.startswith(f'<div class="yf-body" id="yf-body-{intake.key}">')
    assert 'name="parties/0/name" type="text" value="张三"' in html
    assert 'name="parties/1/name"' in html and 'name="parties/2/name"' not in html
    assert "yferr-summary" not in html and "yf-error" not in html  # none while typing


def test_remove_row_renumbers(intake: forms.Form) -> None:
    data = {
        **base(intake),
        "parties/1/_row": "1",
        "parties/1/name": "李四",
        "_op": "remove:parties/0",
    }
    html = client().post(f"/forms/{intake.key}/refresh", data=data).text
    assert 'name="parties/0/name" type="text" value="李四"' in html
    assert "张三" not in html and 'name="parties/1/name"' not in html


def test_max_items_hides_add_and_min_items_hides_remove(intake: forms.Form) -> None:
    html = client().post(f"/forms/{intake.key}/refresh", data=base(intake)).text
    assert 'value="remove:parties/0"' not in html  # minItems 1
    rows = {f"parties/{i}/name": f"人{i}" for i in range(6)}
    html = client().post(f"/forms/{intake.key}/refresh", data=rows).text
    assert 'value="add:parties"' not in html  # maxItems 6
    assert 'value="remove:parties/5"' in html


def test_conditional_section_appears_and_goes(intake: forms.Form) -> None:
    without = client().post(f"/forms/{intake.key}/refresh", data=base(intake)).text
    assert "申请法律援助理由" not in without
    ticked = (
        client()
        .post(f"/forms/{intake.key}/refresh", data={**base(intake), "legal_aid": "true"})
        .text
    )
    assert 'name="aid/reason"' in ticked and "yf-conditional" in ticked
    assert 'id="yf-legal_aid" name="legal_aid" type="checkbox" value="true" checked' in ticked
    assert 'hx-post="/forms/' + intake.key + '/refresh" hx-trigger="change"' in ticked


def test_unknown_form_is_a_clear_404() -> None:
    response = client().post("/forms/" + "0" * 32 + "/refresh", data={"a": "b"})
    assert response.status_code == 404
    assert "表单版本已更新或已失效" in response.text


def test_browser_cannot_send_a_schema(intake: forms.Form) -> None:
    data = {**base(intake), "schema": '{"type": "object"}', "evil/0/x": "1"}
    html = client().post(f"/forms/{intake.key}/refresh", data=data).text
    assert "evil" not in html and "schema" not in html


def test_server_mounts_the_routes(db: Engine) -> None:
    from engine.settings import load_settings
    from server import create_app

    app = create_app(load_settings(), db)
    mounted = [r for r in app.routes if isinstance(r, Mount) and r.path == "/forms"]
    assert [route.path for route in mounted[0].routes] == ["/{key:str}/refresh"]
    app_client = TestClient(app)
    assert app_client.get("/static/htmx.min.js").status_code == 200
    assert app_client.get("/static/forms.css").status_code == 200


def test_forged_deep_names_are_ignored(intake: forms.Form) -> None:
    deep = "/".join(["parties", "0"] * 400) + "/name"
    data = intake.parse_submission({deep: "x", "summary": "正常的纠纷概要内容"})
    assert data["summary"] == "正常的纠纷概要内容" and "parties" not in data
    response = client().post(f"/forms/{intake.key}/refresh", data={deep: "x"})
    assert response.status_code == 200


def test_row_button_values_are_json_even_for_odd_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            'it\'s "odd"': {"type": "array", "title": "奇怪", "items": {"type": "string"}}
        },
    }
    html = forms.load_form(schema).render()
    assert """hx-vals='{"_op": "add:it\\u0027s \\"odd\\""}'""" in html
