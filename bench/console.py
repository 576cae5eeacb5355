"""Console benchmark: `python -m bench.console [--rounds N] [--villages N]`.

What an administrator waits for while typing: one debounced check (POST /console/files/check:
load the working copy, compile the whole county, render the gutter and messages) next to the
work nobody can skip, `dsl.compile_files` on the same files in the same run; the ratio is the
console's own overhead. Also the import preview of a village list. Medians of several rounds,
on a temporary SQLite database, with a county of xiaogan's definition plus N generated villages.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

import dsl
from admin.accounts import MembershipSpec, create_user
from engine import schema, versions
from engine.db import make_engine
from engine.settings import Settings
from server import create_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-console-2026"


def median_ms(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def county_files(villages: int) -> dict[str, str]:
    files = dsl.load_files(ROOT / "definitions" / "xiaogan")
    town = "书院街道"
    lines = "".join(f"中心 基准村{i} 层级 村 上级 {town}\n" for i in range(villages))
    files["county.yd"] = files["county.yd"] + "\n" + lines
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--villages", type=int, default=300)
    args = parser.parse_args(argv)
    files = county_files(args.villages)
    lines = sum(t.count("\n") + 1 for t in files.values())
    with tempfile.TemporaryDirectory() as folder:
        db = make_engine(f"sqlite:///{folder}/bench.db")
        schema.upgrade(db)
        result = dsl.compile_files("xiaogan", files)
        assert result.county is not None, [d.message for d in result.diagnostics[:3]]
        versions.publish(db, result.county, by="bench")
        create_user(
            db, "bench_admin", PASSWORD, display_name="基准", county="xiaogan",
            memberships=[MembershipSpec("孝感市综治中心", "负责人")], is_admin=True,
        )  # fmt: skip
        settings = Settings(
            data_dir=Path(folder), database_url=str(db.url), secret_key="bench",
            host="127.0.0.1", port=0, log_level="warning",
        )  # fmt: skip
        with TestClient(create_app(settings, db), follow_redirects=False) as client:
            token = _login(client)
            edited = files["county.yd"].replace("承办人 @", "承办员 @", 1)
            body = {"path": "county.yd", "text": edited}
            headers = {"X-CSRF-Token": token, "HX-Request": "true"}

            def check() -> None:
                response = client.post("/console/files/check", data=body, headers=headers)
                assert response.status_code == 200 and "ln error" in response.text

            def compile_only() -> None:
                dsl.compile_files("xiaogan", {**files, "county.yd": edited})

            listing = "名称,层级,上级,标签\n" + "".join(
                f"新村{i},村,朋兴乡,\n" for i in range(args.villages)
            )

            def preview() -> None:
                response = client.post(
                    "/console/import/preview",
                    data={"kind": "centers", "csrf_token": token},
                    files={"file": ("村.csv", listing.encode())},
                )
                assert response.status_code == 200

            check()  # warm caches (templates, grammar) before timing
            compile_only()
            # Interleaved, so that load from other processes hits both sides alike.
            check_times, compile_times = [], []
            for _ in range(args.rounds):
                check_times.append(median_ms(check, 1))
                compile_times.append(median_ms(compile_only, 1))
            check_ms = statistics.median(check_times)
            compile_ms = statistics.median(compile_times)
            preview_ms = median_ms(preview, args.rounds)
        db.dispose()
    print(f"county: xiaogan + {args.villages} villages, {lines} lines, {args.rounds} rounds")
    print(f"console_check_ms (HTTP round trip, median)   {check_ms:8.1f}")
    print(f"dsl_compile_ms (same files, baseline)        {compile_ms:8.1f}")
    print(f"ratio_check_vs_compile                       {check_ms / compile_ms:8.2f}")
    print(f"import_preview_ms ({args.villages} rows, median)       {preview_ms:8.1f}")


def _login(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    client.post(
        "/login",
        data={"username": "bench_admin", "password": PASSWORD, "csrf_token": found.group(1)},
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/files").text)
    assert token
    return token.group(1)


if __name__ == "__main__":
    main()
