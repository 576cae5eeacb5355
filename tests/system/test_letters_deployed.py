"""函件 as deployed: `yidi serve` with two web processes takes letters issued at once by
several staff sessions (threads, each its own HTTP client) and numbers them 1..N with no gap
and no duplicate; a separate `yidi worker` process marks a letter overdue when its reply
deadline passes; the office answers and the issuer closes it over HTTP. Both backends."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from admin.accounts import MembershipSpec, create_user
from engine import letters, versions
from engine.db import utcnow
from engine.letter_tables import LETTER
from engine.letters import CST
from tests.letters.xiaogan_letters import COUNTY_CENTER, SUPERVISOR, TOWN, xiaogan
from tests.system.conftest import PASSWORD, Deployment
from tests.system.people import Staff
from tests.system.test_restart import wait_for

pytestmark = pytest.mark.slow  # real processes: each start imports and migrates
SESSIONS, EACH = 4, 5


def test_letters_numbered_over_http_and_overdue_by_the_worker(deployment: Deployment) -> None:
    db = deployment.db
    versions.publish(db, xiaogan(), by="测试")
    for name in ("duban1", "duban2"):
        create_user(
            db, name, PASSWORD, display_name=name, county="xiaogan",
            memberships=[MembershipSpec(COUNTY_CENTER, "督办员")],
        )  # fmt: skip
    server = deployment.server("--workers", "2", YIDI_EMBEDDED_WORKER="0")
    sessions = [
        Staff(server.base, f"duban{1 + i % 2}", PASSWORD).sign_in() for i in range(SESSIONS)
    ]
    deployment.clients.extend(sessions)
    form = {"kind": "风险预警函", "to": f"{TOWN}|司法所", "reason": "排查发现的风险"}
    start = threading.Barrier(SESSIONS)
    answers: list[int] = []

    def issue(staff: Staff) -> None:
        token = staff.csrf("/letters/new")
        start.wait()
        for _ in range(EACH):
            got = staff.http.post("/letters/new", data={**form, "csrf_token": token})
            answers.append(got.status_code)

    threads = [threading.Thread(target=issue, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303] * (SESSIONS * EACH)
    with db.connect() as conn:
        numbers = conn.execute(select(LETTER.c.serial, LETTER.c.number)).all()
    assert sorted(s for s, _ in numbers) == list(range(1, SESSIONS * EACH + 1))
    year = utcnow().astimezone(CST).year
    assert all(n == f"孝综预警函〔{year}〕{s}号" for s, n in numbers)

    # a letter whose reply deadline (3 working days) passed while nobody answered
    request = letters.Issue("风险预警函", TOWN, "司法所", "逾期测试")
    late = letters.issue(db, SUPERVISOR, request, utcnow() - timedelta(days=10))
    worker = deployment.worker()

    def overdue() -> bool:
        with db.connect() as conn:
            return bool(conn.execute(select(LETTER.c.overdue).where(LETTER.c.id == late)).scalar())

    wait_for(overdue, "yidi worker to mark the letter overdue")
    assert worker.running(), worker.output()
    handler = deployment.person(server, "handler")  # 司法所 at the town
    page = handler.http.get(f"/letters/{late}").text
    assert "逾期未回复" in page and "待签收" in page
    assert "孝综预警函" in handler.http.get("/letters?status=overdue").text
    answered = handler.post(
        f"/letters/{late}/answer", {"answer": "已落实稳控措施"}, f"/letters/{late}"
    )
    assert answered.status_code == 303
    closer = Staff(server.base, "duban1", PASSWORD).sign_in()
    deployment.clients.append(closer)
    closed = closer.post(f"/letters/{late}/close", {}, f"/letters/{late}")
    assert closed.status_code == 303
    page = closer.http.get(f"/letters/{late}").text
    assert "已销号" in page and "逾期回复" in page
