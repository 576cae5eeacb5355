"""Attachments: content-addressed store, types from the bytes, limits, downloads only."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

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


def test_upload_round_trip(store: forms.AttachmentStore, saved: object) -> None:
    form = forms.load_form(SCHEMA)
    data = form.parse_submission(
        FormData([("agreement", upload(PDF, "../协议.pdf"))]), attachments=store
    )
    assert data["agreement"]["filename"] == "协议.pdf"
    assert form.validate(data) == []
    loaded = saved(form, data)  # type: ignore[operator]
    html = form.display(loaded, download_url="/files/{sha256}")
    assert f'href="/files/{data["agreement"]["sha256"]}"' in html and "协议.pdf" in html
    # Re-rendered (say another field was wrong): the file is kept through hidden fields.
    again = form.render(loaded)
    assert f'name="agreement/sha256" value="{data["agreement"]["sha256"]}"' in again
    kept = form.parse_submission(
        FormData(
            [
                ("agreement/sha256", data["agreement"]["sha256"]),
                ("agreement/filename", "协议.pdf"),
                ("agreement", upload(b"", "")),
            ]
        ),
        attachments=store,
    )
    assert kept == data


def test_type_and_size_limits(store: forms.AttachmentStore) -> None:
    form = forms.load_form(SCHEMA)
    script = form.parse_submission(
        FormData([("agreement", upload(b"<script>", "a.pdf"))]), attachments=store
    )
    assert [e.message for e in form.validate(script)] == [
        "「调解协议书」的文件类型不允许，请上传 PDF、图片 文件"
    ]
    big = form.parse_submission(
        FormData([("agreement", upload(PDF * 20, "big.pdf"))]), attachments=store
    )
    assert big["agreement"]["sha256"] == ""
    assert "「调解协议书」文件过大，不能超过 1 KB" in [e.message for e in form.validate(big)]
    assert not any(p.is_file() and p.stat().st_size > 1024 for p in store.root.rglob("*"))
    assert [e.message for e in form.validate(form.parse_submission({}))] == ["请上传调解协议书"]


def test_forged_reference_is_dropped(store: forms.AttachmentStore) -> None:
    form = forms.load_form(SCHEMA)
    data = form.parse_submission(
        {"agreement/sha256": "a" * 64, "agreement/filename": "x.pdf"}, attachments=store
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
