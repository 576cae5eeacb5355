"""Letter numbers under concurrent issuing: several threads, each with its own connection,
issue letters of one kind at once; the serials are exactly 1..N (no gap, no duplicate), also
when some of the transactions fail after taking their number (rolled back with it)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from engine import letter_text, letters, versions
from engine.errors import ActionRefused
from engine.letter_tables import LETTER
from tests.letters.xiaogan_letters import SUPERVISOR, TOWN, xiaogan

MONDAY = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
THREADS, EACH = 6, 8


def serials(db: DbEngine) -> list[int]:
    with db.connect() as conn:
        rows = conn.execute(select(LETTER.c.serial, LETTER.c.number).order_by(LETTER.c.serial))
        found = [tuple(r) for r in rows]
    assert all(number == f"孝综预警函〔2026〕{serial}号" for serial, number in found)
    return [serial for serial, _ in found]


def test_concurrent_issuing_leaves_no_gap_and_no_duplicate(db: DbEngine) -> None:
    versions.publish(db, xiaogan(), by="测试")
    request = letters.Issue("风险预警函", TOWN, "司法所", "排查发现的风险")
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def issue_many() -> None:
        start.wait()
        try:
            for _ in range(EACH):
                letters.issue(db, SUPERVISOR, request, MONDAY)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=issue_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert serials(db) == list(range(1, THREADS * EACH + 1))


def test_a_failed_issue_gives_its_number_back(
    db: DbEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every third issue fails after the counter was bumped (inside the transaction): the
    number goes back with it, so the letters that were issued are still numbered 1, 2, 3 ..."""
    versions.publish(db, xiaogan(), by="测试")
    request = letters.Issue("风险预警函", TOWN, "司法所", "排查发现的风险")
    real = letter_text.body
    calls = {"n": 0}
    lock = threading.Lock()

    def sometimes_failing(*args: object) -> str:
        with lock:
            calls["n"] += 1
            fail = calls["n"] % 3 == 0
        if fail:
            raise ActionRefused("测试：签发中途失败")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(letter_text, "body", sometimes_failing)
    start = threading.Barrier(THREADS)
    refused = []

    def issue_many() -> None:
        start.wait()
        for _ in range(EACH):
            try:
                letters.issue(db, SUPERVISOR, request, MONDAY)
            except ActionRefused as error:
                refused.append(error)

    threads = [threading.Thread(target=issue_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    issued = THREADS * EACH - len(refused)
    assert refused and issued > 0
    assert serials(db) == list(range(1, issued + 1))
