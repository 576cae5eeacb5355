"""Attachments bound to their county and case (issue 16, points 2 and 4): a reference to a
file is taken only with the upload itself (or the same session's earlier upload), every
county has its own store, a download needs a case of the viewer's county that holds the file,
and a citizen's upload is kept; a refused upload writes nothing."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from admin import citizen
from admin.accounts import create_api_key
from admin.ratelimit import RateLimiter
from tests.web.counties import intake_data
from tests.web.uploads import (
    PDF,
    case_data,
    files_under,
    online_intake,
    publish_with_evidence,
    sign_in,
    window_intake,
)

CODE = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citizen, "INTAKES_PER_IP", RateLimiter(1000, 3600))


@pytest.fixture
def clerks(db: Engine) -> dict[str, object]:
    return publish_with_evidence(db, "xiaogan", "xiaozhen")  # type: ignore[return-value]


def registered(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status_code == 303, answer.text
    found = CODE.search(answer.headers["location"])
    assert found
    return found.group(0)


def online_code(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status_code == 201, answer.text
    found = CODE.search(answer.text)
    assert found
    return found.group(0)


def forged(digest: str) -> dict[str, str]:
    return {
        "evidence/sha256": digest,
        "evidence/filename": "借条.pdf",
        "evidence/size": str(len(PDF)),
        "evidence/content_type": "application/pdf",
    }


@pytest.fixture
def other_countys_file(client: TestClient, clerks: dict[str, object], db: Engine) -> str:
    """A PDF attached (properly) to a 小镇县 case: its digest."""
    sign_in(client, clerks["xiaozhen"])  # type: ignore[arg-type]
    code = registered(
        window_intake(client, clerks["xiaozhen"], files={"evidence": ("借条.pdf", PDF)})  # type: ignore[arg-type]
    )
    digest = hashlib.sha256(PDF).hexdigest()
    assert case_data(db, code)["evidence"]["sha256"] == digest
    assert client.get(f"/cases/{code}/files/{digest}").content == PDF
    client.cookies.clear()
    return digest


def test_an_anonymous_reference_to_another_countys_file_is_not_taken(
    client: TestClient, clerks: dict[str, object], db: Engine, other_countys_file: str
) -> None:
    code = online_code(online_intake(client, "xiaogan", **forged(other_countys_file)))
    assert "evidence" not in case_data(db, code)
    sign_in(client, clerks["xiaogan"])  # type: ignore[arg-type]
    download = client.get(f"/cases/{code}/files/{other_countys_file}")
    assert download.status_code == 404 and PDF not in download.content


def test_a_clerk_cannot_attach_another_countys_file_by_its_digest(
    client: TestClient, clerks: dict[str, object], db: Engine, other_countys_file: str
) -> None:
    sign_in(client, clerks["xiaogan"])  # type: ignore[arg-type]
    code = registered(window_intake(client, clerks["xiaogan"], **forged(other_countys_file)))  # type: ignore[arg-type]
    assert "evidence" not in case_data(db, code)
    assert client.get(f"/cases/{code}/files/{other_countys_file}").status_code == 404


def test_a_reference_to_a_file_that_does_not_exist_is_not_stored(
    client: TestClient, clerks: dict[str, object], db: Engine
) -> None:
    code = online_code(online_intake(client, "xiaogan", **forged("ab" * 32)))
    assert "evidence" not in case_data(db, code)


def test_the_api_refuses_attachment_references(
    client: TestClient, clerks: dict[str, object], db: Engine, other_countys_file: str
) -> None:
    auth = {"Authorization": f"Bearer {create_api_key(db, '12345热线', 'xiaogan')}"}
    evidence = {
        "sha256": other_countys_file,
        "filename": "借条.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
    }
    answer = client.post(
        "/api/v1/cases", json={"data": intake_data(evidence=evidence)}, headers=auth
    )
    assert answer.status_code == 422, answer.text
    assert [e["path"] for e in answer.json()["errors"]] == ["data/evidence"]
    assert "接口不接收附件" in answer.json()["errors"][0]["message"]


def test_each_county_keeps_its_files_in_its_own_store(
    client: TestClient, clerks: dict[str, object], settings, other_countys_file: str
) -> None:
    root = settings.data_dir / "attachments"
    assert [p.relative_to(root).parts[0] for p in files_under(root)] == ["xiaozhen"]


# --- a citizen's upload (point 4) -----------------------------------------------------------


def test_a_citizens_pdf_is_stored_with_the_case_and_staff_can_download_it(
    client: TestClient, clerks: dict[str, object], db: Engine, settings
) -> None:
    code = online_code(online_intake(client, "xiaogan", files={"evidence": ("借条.pdf", PDF)}))
    evidence = case_data(db, code)["evidence"]
    digest = hashlib.sha256(PDF).hexdigest()
    assert evidence == {
        "sha256": digest,
        "size": len(PDF),
        "filename": "借条.pdf",
        "content_type": "application/pdf",
    }
    stored = settings.data_dir / "attachments" / "xiaogan" / digest[:2] / digest
    assert stored.read_bytes() == PDF
    sign_in(client, clerks["xiaogan"])  # type: ignore[arg-type]
    assert client.get(f"/cases/{code}/files/{digest}").content == PDF


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf"),
        ("page.html", b"<!doctype html><script>alert(1)</script>", "application/pdf"),
        (
            "pic.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
        ),
        ("empty.pdf", b"", "application/pdf"),
        ("big.pdf", PDF * 100, "application/pdf"),
    ],
)
def test_a_refused_upload_is_not_written_to_disk(
    client: TestClient,
    clerks: dict[str, object],
    db: Engine,
    settings,
    name: str,
    content: bytes,
    declared: str,
) -> None:
    answer = online_intake(client, "xiaogan", files={"evidence": (name, content, declared)})
    assert answer.status_code == 422, answer.text
    assert "证据材料" in answer.text
    assert files_under(settings.data_dir / "attachments") == []


def test_an_upload_is_kept_across_a_re_render_for_its_own_session_only(
    client: TestClient, clerks: dict[str, object], db: Engine, settings
) -> None:
    first = online_intake(client, "xiaogan", files={"evidence": ("借条.pdf", PDF)}, summary="短")
    assert first.status_code == 422
    digest = hashlib.sha256(PDF).hexdigest()
    assert f'name="evidence/sha256" value="{digest}"' in first.text
    store = settings.data_dir / "attachments" / "xiaogan"
    assert not (store / digest[:2] / digest).exists()  # staged only until the case is saved
    # Another browser sending the same hidden fields gets no file.
    stranger = TestClient(client.app, follow_redirects=False)
    code = online_code(online_intake(stranger, "xiaogan", **forged(digest)))
    assert "evidence" not in case_data(db, code)
    # The same browser, the summary corrected: the file it uploaded goes with its case.
    code = online_code(online_intake(client, "xiaogan", **forged(digest)))
    assert case_data(db, code)["evidence"]["sha256"] == digest
    assert (store / digest[:2] / digest).read_bytes() == PDF


# --- a step form's attachment (acting on a ticket) -------------------------------------------


@pytest.fixture
def handler(db: Engine, tmp_path: Path) -> object:
    """xiaogan whose 办理情况 form takes the signed agreement; the town's 司法所 handler."""
    import json
    import shutil

    import dsl
    from admin.accounts import create_user
    from admin.demo import demo_password, plan
    from engine import versions
    from tests.web.counties import DEFINITIONS
    from tests.web.flow import TOWN
    from tests.web.uploads import EVIDENCE

    folder = tmp_path / "xiaogan"
    shutil.copytree(DEFINITIONS / "xiaogan", folder)
    path = folder / "forms" / "办理情况.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["agreement"] = {**EVIDENCE, "title": "调解协议书"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    model = dsl.compile_county(folder)
    versions.publish(db, model, by="test")
    account = next(
        a
        for a in plan(model)
        if a.membership and a.membership.center == TOWN and a.membership.office == "司法所"
    )
    create_user(
        db,
        account.username,
        demo_password(),
        display_name=account.display_name,
        county="xiaogan",
        memberships=[account.membership],
    )
    return account


def test_a_step_forms_file_is_stored_with_its_ticket_and_a_forged_one_is_dropped(
    client: TestClient, db: Engine, app, handler: object, settings
) -> None:
    from sqlalchemy import select

    from engine.clock import ManualClock
    from engine.tables import TICKET
    from tests.support import csrf_of
    from tests.web.casework import MONDAY, open_case, open_ticket

    clock = ManualClock(MONDAY)
    app.state.clock = clock
    first, second = open_case(db, clock), open_case(db, clock)
    sign_in(client, handler)  # type: ignore[arg-type]
    fields = {"method": "人民调解", "result": "化解成功", "notes": "双方达成协议，当场签字。"}
    ticket = open_ticket(db, first)
    url = f"/tickets/{ticket}/act/化解"
    token = csrf_of(client, url)
    done = client.post(
        url, data={**fields, "csrf_token": token}, files={"agreement": ("协议.pdf", PDF)}
    )
    assert done.status_code == 303, done.text
    digest = hashlib.sha256(PDF).hexdigest()
    with db.connect() as conn:
        stored = conn.execute(select(TICKET.c.data).where(TICKET.c.id == ticket)).scalar()
    assert stored["agreement"]["sha256"] == digest
    assert client.get(f"/cases/{first}/files/{digest}").content == PDF
    # Another session acting on another case, naming that file by its digest: dropped.
    stranger = TestClient(client.app, follow_redirects=False)
    sign_in(stranger, handler)  # type: ignore[arg-type]
    other = open_ticket(db, second)
    url = f"/tickets/{other}/act/化解"
    reference = {f"agreement/{k.partition('/')[2]}": v for k, v in forged(digest).items()}
    answer = stranger.post(url, data={**fields, **reference, "csrf_token": csrf_of(stranger, url)})
    assert answer.status_code == 303, answer.text
    with db.connect() as conn:
        stored = conn.execute(select(TICKET.c.data).where(TICKET.c.id == other)).scalar()
    assert "agreement" not in stored
    assert stranger.get(f"/cases/{second}/files/{digest}").status_code == 404
