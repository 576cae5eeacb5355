"""Two counties whose intake form takes an evidence file (issue 16): xiaogan, and a copy of it
published as another county (小镇县, key "xiaozhen") so that the same fields fit both."""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

import dsl
from admin.accounts import create_user
from admin.demo import DemoAccount, demo_password, plan
from engine import versions
from engine.tables import CASE
from tests.support import csrf_of
from tests.web.counties import DEFINITIONS
from tests.web.flow import INTAKE_FIELDS, as_form

EVIDENCE = {
    "title": "证据材料",
    "x-attachment": {"accept": ["application/pdf", "image/*"], "max_size": 64 * 1024},
}
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20 + b"%%EOF\n"


def publish_with_evidence(db: Engine, *keys: str) -> dict[str, DemoAccount]:
    """Publish xiaogan (and copies under other keys) with an evidence field; each one's window
    clerk."""
    clerks = {}
    for key in keys:
        model = _compile(key)
        versions.publish(db, model, by="test")
        clerk = next(a for a in plan(model) if a.membership and a.membership.window)
        create_user(
            db,
            clerk.username,
            demo_password(),
            display_name=clerk.display_name,
            county=key,
            memberships=[clerk.membership] if clerk.membership else [],
        )
        clerks[key] = clerk
    return clerks


@cache
def _compile(key: str) -> Any:
    """Compiled once per test session (a county compiles in seconds on a busy machine)."""
    tmp_path = Path(tempfile.mkdtemp(prefix="yidi-uploads-"))
    folder = tmp_path / "definitions" / key
    shutil.copytree(DEFINITIONS / "xiaogan", folder)
    if key != "xiaogan":
        county = folder / "county.yd"
        text = county.read_text(encoding="utf-8").replace("编码 XG", "编码 XZ")
        county.write_text(text.replace("县区 孝感市", "县区 小镇县"), encoding="utf-8")
    county = folder / "county.yd"  # the public sees the evidence field too (网上受理)
    text = county.read_text(encoding="utf-8")
    county.write_text(
        text.replace("    字段 appeal", "    字段 evidence\n    字段 appeal"), "utf-8"
    )
    path = folder / "forms" / "受理登记.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["evidence"] = EVIDENCE
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    try:
        return dsl.compile_county(folder)
    finally:
        shutil.rmtree(tmp_path)


def sign_in(client: TestClient, account: DemoAccount) -> None:
    client.cookies.clear()
    token = csrf_of(client, "/login")
    answer = client.post(
        "/login",
        data={"username": account.username, "password": demo_password(), "csrf_token": token},
    )
    assert answer.status_code == 303, answer.text


def window_intake(client: TestClient, clerk: DemoAccount, files: Any = None, **extra: str) -> Any:
    """The clerk (signed in) registers a case at their window."""
    assert clerk.membership is not None
    token = csrf_of(client, "/intake")
    fields = {
        **as_form(INTAKE_FIELDS),
        "channel": "来访",
        "_window": f"{clerk.membership.window}|{clerk.membership.center}",
        "csrf_token": token,
        **extra,
    }
    return client.post("/intake", data=fields, files=files)


def online_intake(client: TestClient, county: str, files: Any = None, **extra: str) -> Any:
    token = csrf_of(client, f"/online/{county}")
    fields = {**as_form(INTAKE_FIELDS), "csrf_token": token, **extra}
    return client.post(f"/online/{county}", data=fields, files=files)


def case_data(db: Engine, code: str) -> dict[str, Any]:
    with db.connect() as conn:
        data = conn.execute(select(CASE.c.data).where(CASE.c.code == code)).scalar_one()
    return data if isinstance(data, dict) else json.loads(data)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
