"""Attachments: content-addressed store, types from the bytes, limits, downloads only."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

import forms
from forms.routes import download_response

PDF = b"%PDF-1.7\n" + b"0" * 100
SCHEMA = {
    "type": "object",
    "required": ["agreement"],
    "properties": {
        "agreement": {
            "title": "调解协议书",
            "x-attachment": {"accept": ["application/pdf", "image/*"], "max_size": 1024},
        }
    },
}


def upload(content: bytes, filename: str, content_type: str = "application/pdf") -> UploadFile:
    headers = Headers({"content-type": content_type})
    return UploadFile(io.BytesIO(content), filename=filename, headers=headers)


def test_store_is_content_addressed_and_outside_static(store: forms.AttachmentStore) -> None:
    first = store.put(PDF, "协议.pdf", "text/html")
    again = store.put(PDF, "copy.pdf", "application/pdf")
    assert first.sha256 == again.sha256 and re.fullmatch(r"[0-9a-f]{64}", first.sha256)
    assert first.content_type == "application/pdf"  # from the bytes, not the browser
    assert first.size == len(PDF)
    with store.open(first.sha256) as stream:
        assert stream.read() == PDF
    assert len(list(store.root.rglob("*"))) == 2  # one folder, one file


def test_store_rejects_names_that_are_not_digests(store: forms.AttachmentStore) -> None:
    for bad in ("../../etc/passwd", "0" * 63, "A" * 64):
        assert not store.has(bad)
        try:
            store.open(bad)
        except KeyError:
            continue
        raise AssertionError(bad)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_upload_round_trip(store: forms.AttachmentStore, saved: object) -> None:
    form = forms.load_form(SCHEMA)
    uploads = forms.Uploads(store, owner="session-1")
    data = form.parse_submission(
        FormData([("agreement", upload(PDF, "../协议.pdf"))]), attachments=uploads
    )
    digest = data["agreement"]["sha256"]
    assert data["agreement"]["filename"] == "协议.pdf"
    assert form.validate(data) == []
    assert not store.has(digest)  # staged only: nothing is in place before the record is saved
    loaded = saved(form, data)  # type: ignore[operator]
    assert uploads.commit(loaded) == 1 and store.has(digest)
    assert [p.name for p in store.incoming.iterdir()] == []
    html = form.display(loaded, download_url="/files/{sha256}")
    assert f'href="/files/{digest}"' in html and "协议.pdf" in html
    # Re-rendered for an edit: the record's own file is kept through the hidden fields.
    again = form.render(loaded)
    assert f'name="agreement/sha256" value="{digest}"' in again
    resent = FormData(
        [
            ("agreement/sha256", digest),
            ("agreement/filename", "协议.pdf"),
            ("agreement", upload(b"", "")),
        ]
    )
    assert form.parse_submission(resent, previous=loaded, attachments=uploads) == loaded
    # The same hidden fields without the record (a new submission): not this session's upload.
    assert form.parse_submission(resent, attachments=uploads) == {}


def test_a_staged_upload_is_kept_across_a_re_render_for_its_session_only(
    store: forms.AttachmentStore,
) -> None:
    form = forms.load_form(SCHEMA)
    mine = forms.Uploads(store, owner="session-1")
    data = form.parse_submission(FormData([("agreement", upload(PDF, "a.pdf"))]), attachments=mine)
    digest = data["agreement"]["sha256"]
    sent = {"agreement/sha256": digest, "agreement/filename": "改名.pdf", "agreement/size": "1"}
    kept = form.parse_submission(sent, attachments=mine)
    assert kept["agreement"] == {**data["agreement"], "filename": "改名.pdf"}  # size from disk
    stranger = forms.Uploads(store, owner="session-2")
    assert form.parse_submission(sent, attachments=stranger) == {}
    assert stranger.commit(data) == 0 and not store.has(digest)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe", "文件类型不允许"),
        (b"<html><script>alert(1)</script></html>", "a.pdf", "文件类型不允许"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "a.svg", "文件类型不允许"),
        (b"", "empty.pdf", "「调解协议书」是空文件，请重新选择"),
        (PDF * 20, "big.pdf", "文件过大，不能超过 1 KB"),
    ],
)
def test_a_refused_upload_writes_nothing(
    store: forms.AttachmentStore, content: bytes, name: str, message: str
) -> None:
    form = forms.load_form(SCHEMA)
    uploads = forms.Uploads(store, owner="s")
    data = form.parse_submission(
        FormData([("agreement", upload(content, name, "application/pdf"))]), attachments=uploads
    )
    assert data["agreement"]["sha256"] == ""
    assert any(message in e.message for e in form.validate(data)), form.validate(data)
    assert files_in(store.root) == []
    assert uploads.commit(data) == 0


def test_forged_reference_is_dropped(store: forms.AttachmentStore) -> None:
    form = forms.load_form(SCHEMA)
    elsewhere = store.put(PDF, "x.pdf")  # a file in the store, but not this session's upload
    for digest in ("a" * 64, elsewhere.sha256):
        data = form.parse_submission(
            {"agreement/sha256": digest, "agreement/filename": "x.pdf"},
            attachments=forms.Uploads(store, owner="s"),
        )
        assert "agreement" not in data


def test_ui_hints_override_limits_and_render_accept() -> None:
    form = forms.load_form(
        SCHEMA, {"fields": {"agreement": {"accept": ["image/png"], "max_size": 10}}}
    )
    html = form.render()
    assert (
        'accept="image/png"' in html
        and "不超过 1 KB" in html
        and 'enctype="multipart/form-data"' in html
    )


def test_download_is_attachment_with_safe_type(tmp_path: Path) -> None:
    store = forms.AttachmentStore(tmp_path)
    html_file = store.put(b"<html><script>alert(1)</script>", "页面.html")

    async def download(request: Request):  # type: ignore[no-untyped-def]
        return download_response(store, request.path_params["sha"], "页面.html")

    client = TestClient(Starlette(routes=[Route("/d/{sha}", download)]))
    response = client.get(f"/d/{html_file.sha256}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "%E9%A1%B5%E9%9D%A2.html" in response.headers["content-disposition"]
    assert response.content.startswith(b"<html>")
    assert client.get("/d/" + "0" * 64).status_code == 404
    assert client.get("/d/..%2F..%2Fetc").status_code == 404


def test_sweep_removes_only_old_unreferenced_files(store: forms.AttachmentStore) -> None:
    kept = store.put(PDF, "kept.pdf")
    orphan = store.put(PDF + b"1", "orphan.pdf")
    fresh = store.put(PDF + b"2", "fresh.pdf")
    old = 1_000_000_000  # 2001: long ago
    for item in (kept, orphan):
        os.utime(store.root / item.sha256[:2] / item.sha256, (old, old))
    assert store.sweep([kept.sha256]) == 1
    assert store.has(kept.sha256) and store.has(fresh.sha256) and not store.has(orphan.sha256)


def test_sweep_moves_in_a_saved_records_staged_file_and_drops_abandoned_ones(
    store: forms.AttachmentStore,
) -> None:
    form = forms.load_form(SCHEMA)
    uploads = forms.Uploads(store, owner="s")
    saved = form.parse_submission(
        FormData([("agreement", upload(PDF, "a.pdf"))]), attachments=uploads
    )
    abandoned = form.parse_submission(
        FormData([("agreement", upload(PDF + b"x", "b.pdf"))]), attachments=uploads
    )
    old = 1_000_000_000
    for path in store.incoming.iterdir():
        os.utime(path, (old, old))
    # The record was saved but the process stopped before the move: the sweep finishes it.
    assert store.sweep([saved["agreement"]["sha256"]]) == 1
    assert store.has(saved["agreement"]["sha256"])
    assert not store.has(abandoned["agreement"]["sha256"])
    assert list(store.incoming.iterdir()) == []
