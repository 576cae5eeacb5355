"""The console's 流程图 page shows the court link a county declares (诉调对接)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.console.conftest import login, make_admin, publish_files

RUGAO = Path(__file__).resolve().parents[2] / "definitions" / "rugao"


def rugao_files() -> dict[str, str]:
    return {
        str(p.relative_to(RUGAO)): p.read_text(encoding="utf-8")
        for p in RUGAO.rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }


def test_the_process_page_shows_the_declared_court_link(client: TestClient, db: Engine) -> None:
    make_admin(db, "rg_admin", "rugao")
    publish_files(db, "rugao", rugao_files())
    login(client, "rg_admin")
    html = client.get("/console/views/processes").text
    card = re.search(r'id="court-link".*?</section>', html, re.S)
    assert card, html[:2000]
    text = card.group(0)
    assert "市法院诉讼服务中心" in text and "法院联络员" in text
    assert "诉讼（调解不成的）、速裁法庭（调解不成的）" in text
    assert "法院委派渠道「法院委派」时限</th><td>30 天" in text
