"""督办 benchmark: `python -m bench.supervision [--cases N] [--database URL]`.

What 孝感's 督办单 link costs the chain it runs beside, and what issuing and answering a 督办单
costs. Two databases in the same run, same machine: 孝感 as published (the link beside 接单 and
办理) and the same definition without the link step (the baseline). Each case: intake, 派发,
接收, 化解 (the link opens at 派发 and closes at 化解). Printed:

  chain_with_link_per_s      cases per second through 化解, 孝感 as published
  chain_without_link_per_s   the same without the 督办单 link step (baseline)
  link_cost_ratio            with / without
  issue_and_reply_per_s      督办单 issued by a supervisor and answered by the office, per second
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine as DbEngine
from sqlalchemy import text

import dsl
from engine import schema, versions
from engine.cases import Engine
from engine.clock import ManualClock
from engine.db import make_engine
from engine.scope import Membership, Principal, system
from tests.engine.counties import MONDAY

XIAOGAN = Path(__file__).resolve().parents[1] / "definitions" / "xiaogan"
LINK = """  步骤 督办单 {
    类型 督办
    办理人 督办员 @ 中心 县
    票据 督办单
    伴随 接单, 办理
  }
"""
TOWN, OFFICE = "书院街道", "人民调解委员会"
SYSTEM = system("bench", "xiaogan")
HANDLER = Principal("h", "h", "xiaogan", (Membership(TOWN, "承办人", OFFICE),))
BOSS = Principal("s", "s", "xiaogan", (Membership("孝南区中心", "督办员", None),))
RESULT = {"method": "人民调解", "result": "化解成功", "notes": "双方达成调解协议并签字"}


def database(url: str | None, path: Path, with_link: bool) -> DbEngine:
    if url is None:
        db = make_engine(f"sqlite:///{path}")
    else:
        db = make_engine(url)
        with db.begin() as conn:  # the benchmark database is the caller's to spend
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(db)
    files = {
        p.relative_to(XIAOGAN).as_posix(): p.read_text(encoding="utf-8")
        for p in XIAOGAN.rglob("*")
        if p.is_file() and p.suffix in (".yd", ".json", ".csv")
    }
    if not with_link:
        files["county.yd"] = files["county.yd"].replace(LINK, "")
    model = dsl.compile_files("xiaogan", files).county
    assert model is not None
    versions.publish(db, model, by="bench")
    return db


def one_case(wf: Engine, supervise: bool) -> None:
    view = wf.receive(
        SYSTEM,
        "xiaogan",
        channel="来访",
        window="综合窗口",
        category="邻里纠纷",
        severity="一般",
        location="书院社区",
        parties=[{"name": "张三", "role": "申请人", "phone": "13800138000"}],
        data={
            "location": {"town": TOWN, "village": "书院社区"},
            "summary": "邻居装修噪音扰民多次协商未果",
        },
        center=TOWN,
    )
    work = [t for t in view.open_tickets() if t.kind != "supervision"]
    view = wf.act(SYSTEM, work[0].id, "派发", {"office": OFFICE})
    work = [t for t in view.open_tickets() if t.kind != "supervision"]
    view = wf.act(HANDLER, work[0].id, "接收", {})
    if supervise:
        view = wf.supervise(BOSS, view.code, office=OFFICE, reason="请说明进展", days=2)
        [notice] = [t for t in view.open_tickets() if t.kind == "supervision" and t.office]
        view = wf.act(HANDLER, notice.id, "回复督办", {}, reason="已约双方调解")
    work = [t for t in view.open_tickets() if t.kind != "supervision"]
    view = wf.act(HANDLER, work[0].id, "化解", RESULT)
    assert view.step == "评单", view.step


def rate(wf: Engine, cases: int, runs: int, supervise: bool) -> float:
    one_case(wf, supervise)  # warm caches
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(cases):
            one_case(wf, supervise)
        found.append(cases / (time.perf_counter() - started))
    return statistics.median(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default=None, help="PostgreSQL URL (SQLite when absent)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        linked = database(args.database, Path(folder) / "with.db", True)
        with_link = rate(Engine(linked, ManualClock(MONDAY)), args.cases, args.runs, False)
        issued = rate(Engine(linked, ManualClock(MONDAY)), args.cases, args.runs, True)
        linked.dispose()
        plain = database(args.database, Path(folder) / "without.db", False)
        without = rate(Engine(plain, ManualClock(MONDAY)), args.cases, args.runs, False)
        plain.dispose()
    print(f"chain_with_link_per_s     {with_link:8.1f}")
    print(f"chain_without_link_per_s  {without:8.1f}")
    print(f"link_cost_ratio           {with_link / without:8.2f}")
    # each supervised case also ran the chain: the 督办 pair's own rate from the difference
    pair = 1 / max(1 / issued - 1 / with_link, 1e-9)
    print(f"issue_and_reply_per_s     {pair:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
