"""Files stored before per-county folders (attachments/ab/<sha256>, issue 16) are moved into
the folder of each county whose case refers to them (copied to each of two), by `yidi
attachments migrate` and at `yidi serve`'s start: idempotent, safe when interrupted, and
files no case refers to are left in place and reported. Both backends."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

import server
from admin import citizen, legacy_attachments
from admin.ratelimit import RateLimiter
from tests.engine.test_worker import terminate, wait_for, yidi
from tests.web.test_web_upload_sweep import env_for
from tests.web.test_web_uploads import online_code
from tests.web.uploads import PDF, files_under, online_intake, publish_with_evidence, sign_in

SHARED = PDF  # attached to a case of each county
OWN = PDF.replace(b"%%EOF", b"% xiaogan only\n%%EOF")  # attached to a xiaogan case only
STRAY = PDF.replace(b"%%EOF", b"% no case\n%%EOF")  # in the old store, no case refers to it


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def old_layout(client: TestClient, db: Engine, settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Cases of xiaogan and 小镇县 referring to files laid out the old way: one store for
    every county, attachments/ab/<sha256>, no county folders."""
    monkeypatch.setattr(citizen, "INTAKES_PER_IP", RateLimiter(1000, 3600))
    clerks = publish_with_evidence(db, "xiaogan", "xiaozhen")
    codes = {
        "xiaogan-shared": online_intake(client, "xiaogan", files={"evidence": ("a.pdf", SHARED)}),
        "xiaogan-own": online_intake(client, "xiaogan", files={"evidence": ("b.pdf", OWN)}),
        "xiaozhen-shared": online_intake(client, "xiaozhen", files={"evidence": ("c.pdf", SHARED)}),
    }
    codes = {name: online_code(answer) for name, answer in codes.items()}
    root = settings.data_dir / "attachments"
    for county in ("xiaogan", "xiaozhen"):  # back to how the single store kept them
        for path in files_under(root / county):
            old = root / path.name[:2] / path.name
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, old)
        shutil.rmtree(root / county)
    stray = root / digest(STRAY)[:2] / digest(STRAY)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(STRAY)
    return {"root": root, "codes": codes, "clerks": clerks, "stray": stray}


def in_county(root: Path, county: str, content: bytes) -> Path:
    return root / county / digest(content)[:2] / digest(content)


def assert_migrated(layout: dict, client: TestClient) -> None:  # type: ignore[type-arg]
    root = layout["root"]
    assert in_county(root, "xiaogan", SHARED).read_bytes() == SHARED
    assert in_county(root, "xiaozhen", SHARED).read_bytes() == SHARED
    assert in_county(root, "xiaogan", OWN).read_bytes() == OWN
    assert not in_county(root, "xiaozhen", OWN).exists()  # never given to another county
    old = [p for p in files_under(root) if p.parent.parent == root]
    assert old == [layout["stray"]]  # only the unreferenced file is left, where it was
    assert layout["stray"].read_bytes() == STRAY
    for county, code, content in (
        ("xiaogan", layout["codes"]["xiaogan-shared"], SHARED),
        ("xiaogan", layout["codes"]["xiaogan-own"], OWN),
        ("xiaozhen", layout["codes"]["xiaozhen-shared"], SHARED),
    ):
        sign_in(client, layout["clerks"][county])
        assert client.get(f"/cases/{code}/files/{digest(content)}").content == content


def test_old_files_go_to_each_county_that_refers_to_them(
    old_layout: dict,
    client: TestClient,
    db: Engine,
    settings,  # type: ignore[type-arg]
) -> None:
    sign_in(client, old_layout["clerks"]["xiaogan"])
    code = old_layout["codes"]["xiaogan-own"]
    assert client.get(f"/cases/{code}/files/{digest(OWN)}").status_code == 404  # unreadable
    report = legacy_attachments.migrate(db, settings.data_dir)
    assert report.moved == {digest(SHARED): ["xiaogan", "xiaozhen"], digest(OWN): ["xiaogan"]}
    assert report.unreferenced == [old_layout["stray"]]
    text = legacy_attachments.describe(report)
    assert "2 个文件已放入所属县的附件目录" in text and "1 个旧文件没有任何案件引用" in text
    assert_migrated(old_layout, client)
    again = legacy_attachments.migrate(db, settings.data_dir)  # idempotent
    assert again.moved == {} and again.unreferenced == [old_layout["stray"]]
    assert_migrated(old_layout, client)


def test_an_interrupted_migration_finishes_on_the_next_run(
    old_layout: dict,  # type: ignore[type-arg]
    client: TestClient,
    db: Engine,
    settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = legacy_attachments._copy_into
    done: list[Path] = []

    def copy_then_crash(source: Path, target: Path) -> None:
        if done:  # the second copy: the process dies here
            raise KeyboardInterrupt
        copy(source, target)
        done.append(target)

    monkeypatch.setattr(legacy_attachments, "_copy_into", copy_then_crash)
    with pytest.raises(KeyboardInterrupt):
        legacy_attachments.migrate(db, settings.data_dir)
    root = old_layout["root"]
    # the old file is still there (not every county had its copy), no half-written file
    assert (root / digest(SHARED)[:2] / digest(SHARED)).read_bytes() == SHARED
    assert [p for p in files_under(root / "xiaozhen") if p.name.startswith(".upload-")] == []
    monkeypatch.setattr(legacy_attachments, "_copy_into", copy)
    legacy_attachments.migrate(db, settings.data_dir)
    assert_migrated(old_layout, client)


def test_yidi_attachments_migrate_reports_what_it_did(
    old_layout: dict,  # type: ignore[type-arg]
    client: TestClient,
    settings,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env_for(settings, db_url).items():
        if name.startswith("YIDI_"):
            monkeypatch.setenv(name, value)
    assert server.main(["attachments", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "2 个文件已放入所属县的附件目录" in out and str(old_layout["stray"]) in out
    assert_migrated(old_layout, client)


@pytest.mark.slow  # a fresh interpreter imports and runs the whole server
def test_yidi_serve_migrates_old_files_at_start(
    old_layout: dict,
    client: TestClient,
    settings,
    db_url: str,  # type: ignore[type-arg]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = in_county(old_layout["root"], "xiaozhen", SHARED)
    with yidi(env_for(settings, db_url), "serve", "--port", str(port)) as proc:
        wait_for(target.exists, "yidi serve to migrate", gone=lambda: proc.poll() is not None)
        _, err = terminate(proc)
    assert proc.returncode in (0, -15), err
    assert "旧附件迁移" in err
    assert_migrated(old_layout, client)
