"""Letter issuing benchmark: `python -m bench.letters [--database URL] [--threads T] [--each N]`

`issue_per_s`: letters issued per second by T threads at once (each its own connection), each
issuing N 风险预警函 of xiaogan through `engine.letters.issue`: the numbering counter's row lock
(UPDATE ... RETURNING), the body filled in, the letter, its event and its overdue timer in one
transaction. After the run the serials are checked to be exactly 1..T*N.

Same-run baseline `raw_insert_per_s`: the same T threads inserting the same letter rows in one
transaction each, numbered from a counter in Python (no counter row, no lock, no event, no
timer): what any letter needs at least. `ratio` = raw_insert_per_s / issue_per_s.

Without --database a fresh SQLite file is used. With --database (PostgreSQL) its public schema
is DROPPED and recreated: give it a scratch database.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, text

from dsl import compile_county
from engine import letters, schema, versions
from engine.db import make_engine, write_transaction
from engine.letter_tables import LETTER
from engine.scope import Membership, Principal

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
ISSUER = Principal("bench", "压测", "xiaogan", (Membership("孝南区中心", "督办员"),))
REQUEST = letters.Issue("风险预警函", "书院街道", "司法所", "压测")


def _fresh(url: str | None) -> Engine:
    if url is None:
        folder = tempfile.mkdtemp(prefix="yidi-bench-letters-")
        url = f"sqlite:///{folder}/bench.db"
    db = make_engine(url, pool_size=32) if url.startswith("postgresql") else make_engine(url)
    if db.dialect.name == "postgresql":
        with db.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    schema.upgrade(db)
    versions.publish(db, compile_county(ROOT / "definitions" / "xiaogan"), by="bench")
    return db


def _run(threads: int, work: Callable[[], None]) -> float:
    start = threading.Barrier(threads + 1)

    def loop() -> None:
        start.wait()
        work()

    runners = [threading.Thread(target=loop) for _ in range(threads)]
    for runner in runners:
        runner.start()
    start.wait()
    began = time.perf_counter()
    for runner in runners:
        runner.join()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--each", type=int, default=50)
    args = parser.parse_args()
    db = _fresh(args.database)
    total = args.threads * args.each

    def issue_many() -> None:
        for _ in range(args.each):
            letters.issue(db, ISSUER, REQUEST, NOW)

    issued_s = _run(args.threads, issue_many)
    with db.connect() as conn:
        serials = sorted(conn.execute(select(LETTER.c.serial)).scalars())
    assert serials == list(range(1, total + 1)), "gap or duplicate in the serials"
    with db.connect() as conn:
        template = dict(conn.execute(select(LETTER).limit(1)).mappings().one())
    template.pop("id")
    numbers = itertools.count(total + 1)
    lock = threading.Lock()

    def insert_many() -> None:
        for _ in range(args.each):
            with lock:
                serial = next(numbers)
            row = {**template, "serial": serial, "number": f"raw-{serial}"}
            with write_transaction(db) as conn:
                conn.execute(LETTER.insert().values(row))

    raw_s = _run(args.threads, insert_many)
    issue_rate, raw_rate = total / issued_s, total / raw_s
    print(f"backend: {db.dialect.name}; {args.threads} threads x {args.each} letters")
    print(f"issue_per_s: {issue_rate:.0f} (serials 1..{total}: no gap, no duplicate)")
    print(f"raw_insert_per_s: {raw_rate:.0f}")
    print(f"ratio: {raw_rate / issue_rate:.2f}")
    db.dispose()


if __name__ == "__main__":
    main()
