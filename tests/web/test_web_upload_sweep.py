"""The attachment sweep runs in production (issue 16, point 4): `yidi serve`'s timer worker
and `yidi worker --once` delete uploads no case refers to once a day old (files of forms never
saved, abandoned staged uploads), keep what cases refer to and what is fresh."""

from __future__ import annotations

import hashlib
import os
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

import forms
import server
from admin import citizen
from admin.ratelimit import RateLimiter
from tests.engine.test_worker import terminate, wait_for, yidi
from tests.web.uploads import PDF, online_intake, publish_with_evidence

OLD = 1_000_000_000  # 2001


@pytest.fixture
def store_with_leftovers(
    client: TestClient, db: Engine, settings, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """xiaogan's store: a case's file, an old orphan, a fresh orphan and an abandoned staged
    upload, all but the fresh one a long time old."""
    monkeypatch.setattr(citizen, "INTAKES_PER_IP", RateLimiter(1000, 3600))
    publish_with_evidence(db, "xiaogan")
    answer = online_intake(client, "xiaogan", files={"evidence": ("借条.pdf", PDF)})
    assert answer.status_code == 201, answer.text
    store = forms.AttachmentStore(settings.data_dir / "attachments" / "xiaogan")
    digest = hashlib.sha256(PDF).hexdigest()
    orphan = store.put(PDF + b"orphan", "o.pdf").sha256
    fresh = store.put(PDF + b"fresh", "f.pdf").sha256
    abandoned = store.incoming / f"{hashlib.sha256(b'x').hexdigest()}.{'0' * 32}"
    abandoned.parent.mkdir(parents=True, exist_ok=True)
    abandoned.write_bytes(b"x")
    files = {
        "case": store.root / digest[:2] / digest,
        "orphan": store.root / orphan[:2] / orphan,
        "fresh": store.root / fresh[:2] / fresh,
        "abandoned": abandoned,
    }
    for name in ("case", "orphan", "abandoned"):
        os.utime(files[name], (OLD, OLD))
    return files


def env_for(settings, db_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(settings.data_dir),
        "YIDI_SECRET_KEY": "test-secret",
    }
    env.pop("YIDI_EMBEDDED_WORKER", None)
    return env


def assert_swept(files: dict[str, Path]) -> None:
    assert files["case"].read_bytes() == PDF
    assert files["fresh"].exists()
    assert not files["orphan"].exists() and not files["abandoned"].exists()


@pytest.mark.slow  # a fresh interpreter imports and runs the whole server
def test_yidi_serve_sweeps_unreferenced_uploads(
    store_with_leftovers: dict[str, Path], settings, db_url: str
) -> None:
    files = store_with_leftovers
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with yidi(env_for(settings, db_url), "serve", "--port", str(port)) as proc:
        wait_for(
            lambda: not files["orphan"].exists() and not files["abandoned"].exists(),
            "the server's worker to sweep the attachments",
            gone=lambda: proc.poll() is not None,
        )
        _, err = terminate(proc)
    assert proc.returncode in (0, -15), err
    assert_swept(files)


def test_yidi_worker_once_sweeps_unreferenced_uploads(
    store_with_leftovers: dict[str, Path],
    settings,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env_for(settings, db_url).items():
        if name.startswith("YIDI_"):
            monkeypatch.setenv(name, value)
    assert server.main(["worker", "--once"]) == 0
    assert re.search(r"已触发 \d+ 个定时器", capsys.readouterr().out)
    assert_swept(store_with_leftovers)
