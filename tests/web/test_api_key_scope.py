"""What an API key may do (admin/key_scopes.py): a hotline's key pushes cases but cannot record
the court's results, a court key (`yidi apikey add --scope court`) records them but pushes no
cases, a key issued before uses existed keeps both; refusals are 403 with a Chinese message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, func, select

import server
from admin import key_scopes
from admin.accounts import create_api_key
from engine.cases import Engine as Workflow
from engine.tables import CASE
from tests.web.test_court_web import DATA, FACTS, PARTY, VILLAGE, at_court, matters, wf

__all__ = ["wf"]  # the fixture, published 如皋

FILING = {
    "record": "filing",
    "court_case_number": "（2026）苏0682民初9号",
    "filed_on": "2026-11-18",
}
PUSH = {"location": VILLAGE, "data": {**DATA, **FACTS, "parties": [PARTY]}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cases(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CASE)).scalar_one())


def test_a_hotline_key_cannot_record_court_results(client: Any, wf: Workflow, db: Engine) -> None:
    hotline = bearer(create_api_key(db, "12345热线", "rugao"))  # the default use: intake
    view = at_court(wf)
    before = matters(db)
    refused = client.post(f"/api/v1/cases/{view.code}/court", json=FILING, headers=hotline)
    assert refused.status_code == 403, refused.text
    assert "不能登记法院立案、开庭和结果" in refused.json()["message"]
    assert matters(db) == before  # nothing written
    assert client.post("/api/v1/cases", json=PUSH, headers=hotline).status_code == 201


def test_a_court_key_cannot_push_intakes(client: Any, wf: Workflow, db: Engine) -> None:
    court = bearer(create_api_key(db, "法院诉讼服务系统", "rugao", uses=(key_scopes.COURT,)))
    view = at_court(wf)
    before = cases(db)
    refused = client.post("/api/v1/cases", json=PUSH, headers=court)
    assert refused.status_code == 403, refused.text
    assert "不能推送案件" in refused.json()["message"] and "登记法院" in refused.json()["message"]
    assert cases(db) == before
    filed = client.post(f"/api/v1/cases/{view.code}/court", json=FILING, headers=court)
    assert filed.status_code == 200, filed.text
    assert client.get(f"/api/v1/cases/{view.code}", headers=court).status_code == 200


def test_a_key_issued_before_uses_existed_keeps_both(client: Any, wf: Workflow, db: Engine) -> None:
    token = create_api_key(db, "老密钥", "rugao")
    with db.begin() as conn:  # as every key issued before migration apikey_scope_i20courtfix
        conn.execute(delete(key_scopes.SCOPES))
    view = at_court(wf)
    filed = client.post(f"/api/v1/cases/{view.code}/court", json=FILING, headers=bearer(token))
    assert filed.status_code == 200, filed.text
    assert client.post("/api/v1/cases", json=PUSH, headers=bearer(token)).status_code == 201


def test_the_cli_issues_a_court_key_and_refuses_an_unknown_use(
    db_url: str, wf: Workflow, client: Any, db: Engine, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setenv("YIDI_DATABASE_URL", db_url)
    args = ["apikey", "add", "--system", "法院诉讼服务系统", "--county", "rugao"]
    assert server.main([*args, "--scope", "法院"]) == 1
    assert "不认识的密钥用途「法院」" in capsys.readouterr().err
    assert server.main([*args, "--scope", "court"]) == 0
    out = capsys.readouterr().out
    assert "用途：登记法院立案、开庭和结果" in out
    court = bearer(out.strip().splitlines()[-1])
    assert client.post("/api/v1/cases", json=PUSH, headers=court).status_code == 403
    view = at_court(wf)
    filed = client.post(f"/api/v1/cases/{view.code}/court", json=FILING, headers=court)
    assert filed.status_code == 200, filed.text
