"""Who did it, as deployed (issue 22): `yidi serve` runs as a real process; staff sign in and
work a 鹿城 administrative dispute over HTTP (主体自纠 → 案前调解 → 司法确认) with forms that
have no mediator field; the leader then downloads the month's reward ledger as CSV and reads
the mediator's two pieces in the monthly report. Both backends (`db_url`)."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from admin.accounts import MembershipSpec, create_user
from engine.cases import Engine as Workflow
from engine.db import make_engine
from engine.reports.periods import local_today
from tests.engine.test_mediators import LUCHENG, MEDIATED, publish, receive
from tests.system.deployment import ROOT, Server, free_port, serve_args
from tests.system.people import Staff

pytestmark = pytest.mark.slow  # a real `yidi serve`: it imports and migrates on start

PASSWORD = "System-test-2026"
PEOPLE = {  # username: (display name, center, role, office)
    "lc_official": ("行政机关承办人", "鹿城区中心", "承办人", "行政机关"),
    "lc_mediator": ("陈调解", "鹿城区中心", "调解员", "行政争议调解中心"),
    "lc_judge": ("王法官", "鹿城区中心", "法官", "法院"),
    "lc_leader": ("区中心负责人", "鹿城区中心", "负责人", None),
}


def test_served_actions_record_the_mediator_and_the_ledger_exports_as_csv(
    db_url: str, tmp_path: Path
) -> None:
    db = make_engine(db_url)
    try:
        publish(db, LUCHENG)
        code = receive(Workflow(db)).code  # from the 12345 hotline, today
        for username, (name, center, role, office) in PEOPLE.items():
            spec = MembershipSpec(center, role, office)
            create_user(
                db, username, PASSWORD, display_name=name, county="lucheng", memberships=[spec]
            )
    finally:
        db.dispose()
    env = {
        **os.environ,
        "YIDI_DATABASE_URL": db_url,
        "YIDI_DATA_DIR": str(tmp_path / "data"),
        "YIDI_SECRET_KEY": "system-test-secret",
        "YIDI_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    server = Server(env, serve_args(port), tmp_path / "logs", port=port)
    server.start()
    people: list[Staff] = []
    try:
        official, mediator, judge, leader = (
            Staff(server.base, username, PASSWORD).sign_in() for username in PEOPLE
        )
        people += [official, mediator, judge, leader]
        official.act(code, "未能自纠，转案前调解", {"notes": "机关认为原决定并无不当"})
        mediator.act(code, "调解成功", {key: str(value) for key, value in MEDIATED.items()})
        judge.act(code, "裁定确认调解协议有效", {"ruling": "（2026）浙0302民特9号"})
        month = f"period=month&day={local_today(datetime.now(UTC)).replace(day=1).isoformat()}"
        exported = leader.http.get(f"/dashboards/export/rewards.csv?{month}")
        assert exported.status_code == 200, exported.text[-2000:]
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert [(r[1], r[2], r[7], r[8]) for r in rows[1:]] == [
            (code, "陈调解", "调解成功", "200"),
            (code, "陈调解", "司法确认", "100"),
        ]
        report = leader.http.get(f"/dashboards/meeting/monthly?{month}").text
        assert "陈调解" in report.split("调解员", 1)[1]
        assert "王法官" not in report
    finally:
        for person in people:
            person.close()
        server.kill()
